using System.Collections.Frozen;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;
using XefAI.Models.Providers.OpenAI;
using XefAI.Testing;

namespace XefAI.Gateway.Benchmarks.Micro;

/// <summary>
/// The audit record of one answered call without the database: the chain hash of an entry in the single-chain form
/// (v4) and the per-writer form (v5), and the record as the pipeline builds it from the call's context, alone and
/// then guarded, numbered and hashed as the SQLite store does before it binds the row.
/// </summary>
[MemoryDiagnoser]
public class AuditRecordBenchmarks
{
    private const string PreviousHash = "5f2b9c0e7d41a3b8c6e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f";

    private readonly AuditChainHasher _hasher = new();
    private GatewayHost _gateway = null!;
    private CallContext _call = null!;
    private AuditEntry _entry = null!;
    private AuditRecorder _buildOnly = null!;
    private AuditRecorder _buildAndHash = null!;
    private Func<bool, string?> _outputText = null!;

    /// <summary>1: metadata and hashes; 2: the input and output verbatim as well.</summary>
    [Params(1, 2)]
    public int Tier { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _gateway = await GatewayHost.StartAsync();
        var snapshot = _gateway.Services.GetRequiredService<GatewaySnapshots>().Current;
        _call = AnsweredCall(snapshot, _gateway.Services.GetRequiredService<IPolicyEngine>(), Tier == 1 ? "vendor-chat" : "summary");
        var answer = _call.Answer!.Content;
        _outputText = _ => answer;
        _buildOnly = new AuditRecorder(new HashingTrail(hash: false), TimeProvider.System, NullLogger<AuditRecorder>.Instance);
        _buildAndHash = new AuditRecorder(new HashingTrail(hash: true), TimeProvider.System, NullLogger<AuditRecorder>.Instance);

        var record = await BuildAndHashRecord() ?? throw new InvalidOperationException("Benchmark set-up: no record.");
        _entry = record.Entry;
        if ((_entry.InputText is not null) != (Tier == 2) || _entry.Attempts.Count != 1)
        {
            throw new InvalidOperationException($"Benchmark set-up: the tier {Tier} record is not what its tier obliges.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _hasher.Dispose();
        await _call.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Benchmark]
    public string HashV4() => _hasher.ComputeHash(AuditChainHasher.CurrentVersion, "aud_01JEH3W5Q8Z4M2N6P0R8T1V3X5", 1_048_576, _entry, PreviousHash);

    [Benchmark]
    public string HashV5() => _hasher.ComputeHash(AuditChainHasher.ChainedVersion, "aud_01JEH3W5Q8Z4M2N6P0R8T1V3X5", 524_288, _entry, PreviousHash, "writer-01");

    /// <summary>The entry built from the call's context (the recorder's work before it hands the entry to the trail).</summary>
    [Benchmark]
    public ValueTask<AuditRecord?> BuildEntry() =>
        _buildOnly.TryAppendAsync(_call, CallOutcomes.Answered, StatusCodes.Status200OK, null, _call.OutputSha256, _outputText, streamed: false);

    /// <summary>The entry built, then guarded, given an id and hashed into a record: the store's work short of SQL.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<AuditRecord?> BuildAndHashRecord() =>
        _buildAndHash.TryAppendAsync(_call, CallOutcomes.Answered, StatusCodes.Status200OK, null, _call.OutputSha256, _outputText, streamed: false);

    /// <summary>A call's context as the steps leave it before the audit step, for a buffered answer from the vendor.</summary>
    private static CallContext AnsweredCall(GatewaySnapshot snapshot, IPolicyEngine policies, string useCaseId)
    {
        var httpContext = new DefaultHttpContext();
        httpContext.Features.Set(snapshot);
        var body = HotPathSamples.ChatRequest(useCaseId);
        var request = ChatCompletionsAdapter.Instance.Translate(httpContext, body).Request!;
        var useCase = snapshot.UseCases.TryGet(useCaseId, out var found) ? found : throw new InvalidOperationException($"No use case {useCaseId}.");
        var deployment = new ModelDeployment("vendor", OpenAIProvider.ProviderKind, "vendor", "gpt-4o-mini", null, HasBaa: false);
        var answer = new OpenAIProvider().ReadResponse(
            new ModelRequest(deployment, request.Messages, request.Options, request.Body!, ModelContext.Empty),
            new VendorHttpResponse(200, HotPathSamples.OpenAICompletion("gpt-4o-mini-2024-07-18"), "application/json"));
        var rendered = ChatCompletionsAdapter.Instance.RenderAnswer(new Integration.CallAnswer(useCaseId, (int)useCase.Tier, deployment, DateTimeOffset.UnixEpoch) { Chat = answer });
        var obligations = policies.Evaluate(new PolicyContext(useCase, "test-app") { RequestedMaxTokens = request.Options.MaxTokens }).Obligations;
        var attempts = new AuditAttempt[] { new(deployment.Id, "primary", "succeeded", 200, 412.5) };

        return new CallContext(httpContext, ChatCompletionsAdapter.Instance, snapshot, "4bf92f3577b34da6a3ce929d0e0e4736", TimeProvider.System.GetTimestamp(), DateTimeOffset.UtcNow)
        {
            App = new ClientApp("test-app", FrozenSet.ToFrozenSet([useCaseId], StringComparer.Ordinal)),
            Body = body,
            InputSha256 = ReadRequestStep.Sha256Hex(body),
            Request = request,
            UseCase = useCase,
            Obligations = obligations,
            Messages = request.Messages,
            VendorBody = request.Body,
            DeIdentification = obligations.DeIdentify ? DeIdentificationOutcomes.Applied : DeIdentificationOutcomes.NotRequired,
            Deployment = deployment,
            Invocation = new Invocation(new AttemptOutcome { Answer = answer, Destination = "primary" }, deployment, attempts),
            Answer = answer,
            Rendered = rendered,
            OutputSha256 = ReadRequestStep.Sha256Hex(rendered.Body.Span),
        };
    }

    /// <summary>A trail that does what the SQLite store does to an entry before the row is bound, or nothing.</summary>
    private sealed class HashingTrail(bool hash) : IAuditTrail, IDisposable
    {
        private readonly AuditChainHasher _hasher = new();
        private readonly AuditRecordIdGenerator _ids = new(TimeProvider.System);
        private long _sequence;

        public string StoreKind => "memory";

        public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (!hash)
            {
                return ValueTask.FromResult(new AuditRecord(string.Empty, 0, entry, PreviousHash, PreviousHash));
            }

            entry = AuditEntryGuard.Prepare(entry);
            var id = _ids.Next();
            var sequence = ++_sequence;
            var recordHash = _hasher.ComputeHash(AuditChainHasher.CurrentVersion, id, sequence, entry, PreviousHash);
            return ValueTask.FromResult(new AuditRecord(id, sequence, entry, PreviousHash, recordHash));
        }

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

        public void Dispose() => _hasher.Dispose();
    }
}
