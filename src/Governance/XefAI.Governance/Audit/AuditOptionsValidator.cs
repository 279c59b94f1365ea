using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>Checks the <c>Audit</c> section; whether a store of the named kind exists is checked by <see cref="AuditTrail"/>.</summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Store))
        {
            errors.Add("Audit:Store must name an audit store kind, such as 'sqlite'.");
        }

        if (options.MaxBatchSize < 1)
        {
            errors.Add($"Audit:MaxBatchSize must be at least 1, not {options.MaxBatchSize}.");
        }

        if (options.MaxQueuedRecords is < 1 or > AuditOptions.MaxMaxQueuedRecords)
        {
            errors.Add($"Audit:MaxQueuedRecords must be from 1 to {AuditOptions.MaxMaxQueuedRecords}, not {options.MaxQueuedRecords}.");
        }

        if (options.Sqlite is null || string.IsNullOrWhiteSpace(options.Sqlite.Path))
        {
            errors.Add("Audit:Sqlite:Path must not be empty.");
        }

        // 0 would mean "wait forever" to Microsoft.Data.Sqlite, and a stuck lock must fail the call instead.
        if (options.Sqlite is { BusyTimeoutSeconds: < 1 })
        {
            errors.Add($"Audit:Sqlite:BusyTimeoutSeconds must be at least 1, not {options.Sqlite.BusyTimeoutSeconds}.");
        }

        if (options.Verification is { IntervalMinutes: < 0 or > 10080 })
        {
            errors.Add($"Audit:Verification:IntervalMinutes must be from 0 (none) to 10080 (a week), not {options.Verification.IntervalMinutes}.");
        }

        if (options.Verification is { FullIntervalHours: < 0 or > 8784 })
        {
            errors.Add($"Audit:Verification:FullIntervalHours must be from 0 (never) to 8784 (a year), not {options.Verification.FullIntervalHours}.");
        }

        if (options.Verification is { MaxInlineRecords: < 0 })
        {
            errors.Add($"Audit:Verification:MaxInlineRecords must be 0 (no bound) or more, not {options.Verification.MaxInlineRecords}.");
        }

        if (options.Verification is { } verification && !(verification.MaxBusyShare > 0 && verification.MaxBusyShare <= 1))
        {
            errors.Add($"Audit:Verification:MaxBusyShare must be more than 0 and at most 1, not {verification.MaxBusyShare}.");
        }

        ValidatePostgres(options, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Messages name keywords and positions, never values: the connection string may hold a password.
    private static void ValidatePostgres(AuditOptions options, List<string> errors)
    {
        if (!string.Equals(options.Store, PostgresAuditStore.StoreKind, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (options.Postgres is { CommitTimeoutSeconds: < 1 or > PostgresAuditStore.MaxCommitTimeoutSeconds })
        {
            errors.Add($"Audit:Postgres:CommitTimeoutSeconds must be from 1 to {PostgresAuditStore.MaxCommitTimeoutSeconds}, not {options.Postgres.CommitTimeoutSeconds}.");
        }

        if (options.Postgres is { CheckpointIntervalSeconds: < 1 or > PostgresAuditStore.MaxCheckpointIntervalSeconds })
        {
            errors.Add($"Audit:Postgres:CheckpointIntervalSeconds must be from 1 to {PostgresAuditStore.MaxCheckpointIntervalSeconds}, not {options.Postgres.CheckpointIntervalSeconds}.");
        }

        if (options.Postgres?.InstanceName is { } instance && !PostgresAuditStore.IsValidInstanceName(instance))
        {
            errors.Add($"Audit:Postgres:InstanceName must be 1 to {PostgresAuditStore.MaxInstanceNameLength} letters, digits, '.', '_' or '-'.");
        }

        var connectionString = options.Postgres?.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            errors.Add("Audit:Postgres:ConnectionString is required when Audit:Store is 'postgres'.");
            return;
        }

        PostgresConnectionStrings.Validate("Audit:Postgres:ConnectionString", connectionString, errors);
        if (options.Postgres?.MigrationConnectionString is { } migration)
        {
            PostgresConnectionStrings.Validate("Audit:Postgres:MigrationConnectionString", migration, errors);
        }
    }
}
