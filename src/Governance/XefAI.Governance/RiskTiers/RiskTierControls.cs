using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>The controls of every risk tier, and the obligations they impose; immutable, swapped whole on reload.</summary>
internal sealed class RiskTierControls
{
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    // Index = tier; 0 is unused.
    private static readonly TierControls[] Defaults =
    [
        TierControls.Strictest,
        new(RequireBaa: false, DeIdentifyUnlessBaa: true, ReviewRequirement.None, AuditVerbatim: false, MaxTokens: null, RateLimit: null),
        new(RequireBaa: false, DeIdentifyUnlessBaa: true, ReviewRequirement.None, AuditVerbatim: true, MaxTokens: null, RateLimit: null),
        new(RequireBaa: false, DeIdentifyUnlessBaa: true, ReviewRequirement.Draft, AuditVerbatim: true, MaxTokens: null, RateLimit: null),
        new(RequireBaa: true, DeIdentifyUnlessBaa: true, ReviewRequirement.Hold, AuditVerbatim: true, MaxTokens: 4096, new TierRateLimit(30, DefaultWindow))
        {
            ReIdentifyAnswers = false,
        },
    ];

    private static readonly PolicyObligations StrictestObligations = Obligations(TierControls.Strictest, deIdentify: true);

    // Weak keys: the obligations go when the snapshot whose use cases carried the controls does.
    private static readonly ConditionalWeakTable<TierControls, PolicyObligations[]> CarriedObligations = new();

    // The same obligations without de-identification, for use cases that opted out; kept as long as the originals.
    private static readonly ConditionalWeakTable<PolicyObligations, PolicyObligations> OptedOutObligations = new();

    private readonly TierControls[] _tiers;

    // Per tier: [call stage, deployment with BAA, deployment without BAA]; built once so a call allocates none.
    private readonly PolicyObligations[][] _obligations;

    private RiskTierControls(TierControls[] tiers)
    {
        _tiers = tiers;
        _obligations = [.. tiers.Select(ObligationsByStage)];
    }

    public static RiskTierControls Default { get; } = From(new GovernanceOptions());

    /// <summary>Builds the table from options that passed <see cref="GovernanceOptionsValidator"/>.</summary>
    public static RiskTierControls From(GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TierControls[] tiers = [.. Defaults];
        foreach (var (key, configured) in options.RiskTiers)
        {
            if (!RiskTierLifecycles.TryParseTier(key, out var number) || configured is null)
            {
                continue;
            }

            var defaults = Defaults[number];
            tiers[number] = new TierControls(
                configured.RequireBaa ?? defaults.RequireBaa,

                // The validator refuses false: only a use case's own opt-out sends PHI as it is.
                DeIdentifyUnlessBaa: true,
                TryParseReview(configured.Review, out var review) ? review : defaults.Review,
                configured.AuditVerbatim ?? defaults.AuditVerbatim,
                configured.MaxTokens is { } max ? (max > 0 ? max : null) : defaults.MaxTokens,
                ResolveRateLimit(configured.RateLimit, defaults.RateLimit))
            {
                ReIdentifyAnswers = configured.ReIdentifyAnswers ?? defaults.ReIdentifyAnswers,
                VerbatimAuditText = TryParseVerbatimAuditText(configured.VerbatimAuditText, out var text) ? text : defaults.VerbatimAuditText,
            };
        }

        // The lifecycles a tier accepts travel with its controls, so a use case carries everything its policies judge by.
        var lifecycles = RiskTierLifecycles.From(options);
        for (var number = 1; number < tiers.Length; number++)
        {
            tiers[number] = tiers[number] with { AllowedLifecycles = lifecycles.AllowedNameList((RiskTier)number) };
        }

        return new RiskTierControls(tiers);
    }

    /// <summary>Parses <c>none</c>, <c>draft</c> or <c>hold</c> in any case.</summary>
    public static bool TryParseReview(string? value, out string review)
    {
        string? parsed = value?.Trim().ToLowerInvariant() switch
        {
            ReviewRequirement.None => ReviewRequirement.None,
            ReviewRequirement.Draft => ReviewRequirement.Draft,
            ReviewRequirement.Hold => ReviewRequirement.Hold,
            _ => null,
        };
        review = parsed ?? ReviewRequirement.None;
        return parsed is not null;
    }

    /// <summary>Parses <c>deidentified</c> or <c>original</c> in any case.</summary>
    public static bool TryParseVerbatimAuditText(string? value, out string text)
    {
        string? parsed = value?.Trim().ToLowerInvariant() switch
        {
            VerbatimAuditTexts.DeIdentified => VerbatimAuditTexts.DeIdentified,
            VerbatimAuditTexts.Original => VerbatimAuditTexts.Original,
            _ => null,
        };
        text = parsed ?? VerbatimAuditTexts.DeIdentified;
        return parsed is not null;
    }

    /// <summary>
    /// The obligations of a use case that opted out of de-identification: those given, without
    /// <see cref="PolicyObligations.DeIdentify"/>. Built once per obligations instance, so a call allocates none.
    /// </summary>
    public static PolicyObligations OptedOut(PolicyObligations obligations)
    {
        ArgumentNullException.ThrowIfNull(obligations);
        return obligations.DeIdentify ? OptedOutObligations.GetValue(obligations, o => o with { DeIdentify = false }) : obligations;
    }

    /// <summary>A tier's controls; <see cref="TierControls.Strictest"/> for a tier outside 1 to 4.</summary>
    public TierControls For(RiskTier tier) => IsKnown(tier) ? _tiers[(int)tier] : TierControls.Strictest;

    /// <summary>The obligations of a call to a use case of this tier, at the call stage or for one deployment.</summary>
    public PolicyObligations ObligationsFor(RiskTier tier, DeploymentFacts? deployment)
    {
        if (!IsKnown(tier))
        {
            return StrictestObligations;
        }

        return _obligations[(int)tier][Stage(deployment)];
    }

    /// <summary>
    /// The obligations of controls a use case carries (<see cref="UseCase.TierControls"/>): built once per controls
    /// instance, which lives as long as the configuration snapshot it came from, so a call allocates none.
    /// </summary>
    public static PolicyObligations ObligationsFor(TierControls controls, DeploymentFacts? deployment)
    {
        ArgumentNullException.ThrowIfNull(controls);
        return CarriedObligations.GetValue(controls, ObligationsByStage)[Stage(deployment)];
    }

    private static bool IsKnown(RiskTier tier) => (int)tier is >= 1 and <= 4;

    // Before a deployment is chosen the vendor's BAA is unknown, so the call stage assumes none.
    private static int Stage(DeploymentFacts? deployment) => deployment is null ? 0 : deployment.CoversPhi ? 1 : 2;

    private static PolicyObligations[] ObligationsByStage(TierControls t) =>
    [
        Obligations(t, deIdentify: t.DeIdentifyUnlessBaa),
        Obligations(t, deIdentify: false),
        Obligations(t, deIdentify: t.DeIdentifyUnlessBaa),
    ];

    private static PolicyObligations Obligations(TierControls tier, bool deIdentify) => new()
    {
        DeIdentify = deIdentify,
        ReIdentify = tier.ReIdentifyAnswers,
        Review = tier.Review,
        AuditVerbatim = tier.AuditVerbatim,
        AuditOriginalText = tier.VerbatimAuditText == VerbatimAuditTexts.Original,
        MaxTokens = tier.MaxTokens,
    };

    private static TierRateLimit? ResolveRateLimit(RiskTierRateLimitOptions? configured, TierRateLimit? defaults)
    {
        if (configured is null)
        {
            return defaults;
        }

        var permits = configured.PermitLimit ?? defaults?.PermitLimit ?? 0;
        var window = configured.Window ?? defaults?.Window ?? DefaultWindow;
        return permits > 0 ? new TierRateLimit(permits, window) : null;
    }
}

/// <summary>The current <see cref="RiskTierControls"/>; a valid configuration edit replaces them, a bad one is never seen.</summary>
internal sealed class RiskTierControlsSource : IDisposable
{
    private readonly IDisposable? _subscription;
    private RiskTierControls _current;

    public RiskTierControlsSource(IOptionsMonitor<GovernanceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _current = RiskTierControls.From(options.CurrentValue);

        // OptionsMonitor only calls back with options that passed validation.
        _subscription = options.OnChange((value, name) =>
        {
            if (name == Options.DefaultName)
            {
                Volatile.Write(ref _current, RiskTierControls.From(value));
            }
        });
    }

    public RiskTierControls Current => Volatile.Read(ref _current);

    /// <summary>
    /// The controls a use case is judged by: those it carries from the configuration snapshot it came from, else
    /// (a use case built by hand) those in force.
    /// </summary>
    public TierControls For(UseCase useCase) => useCase.TierControls ?? Current.For(useCase.Tier);

    public void Dispose() => _subscription?.Dispose();
}

/// <summary>How messages name a tier: "tier 4 (clinical decision support)".</summary>
internal static class RiskTierNames
{
    public static string Describe(RiskTier tier) => $"tier {(int)tier} ({Label(tier)})";

    public static string Label(RiskTier tier) => tier switch
    {
        RiskTier.Administrative => "administrative",
        RiskTier.Operational => "operational",
        RiskTier.ClinicalAssistive => "clinical assistive",
        RiskTier.ClinicalDecisionSupport => "clinical decision support",
        _ => "unknown",
    };
}
