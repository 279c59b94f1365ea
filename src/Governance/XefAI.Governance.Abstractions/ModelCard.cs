using System.ComponentModel;
using System.Globalization;

namespace XefAI.Governance;

/// <summary>
/// What a governance committee must know of the model behind a use case: the ONC HTI-1 source attributes of a
/// predictive decision support intervention (45 CFR 170.315(b)(11)(iv)(B), 31 attributes in 9 categories) and
/// the fields of the CHAI Applied Model Card (schema v0.2). Each attribute is either a value or a reason why
/// none is supplied; <see cref="MissingAttributes"/> names the required ones that have neither.
/// </summary>
public sealed record ModelCard
{
    /// <summary>The HTI-1 predictive DSI source attributes.</summary>
    public PredictiveDsiSourceAttributes SourceAttributes { get; init; } = new();

    /// <summary>The CHAI Applied Model Card.</summary>
    public ChaiModelCard Chai { get; init; } = new();

    /// <summary>Every attribute, in document order, by its configuration path under the model card.</summary>
    public IReadOnlyList<ModelCardAttributeEntry> Attributes =>
        [.. (SourceAttributes ?? new()).Entries("SourceAttributes:"), .. (Chai ?? new()).Entries("Chai:")];

    /// <summary>Paths of the required attributes given neither a value nor a <c>NotSupplied</c> reason, e.g. <c>SourceAttributes:Purpose:IntendedUsers</c>.</summary>
    public IReadOnlyList<string> MissingAttributes =>
        [.. Attributes.Where(a => a.Required && a.Attribute is not { IsAnswered: true }).Select(a => a.Path)];

    /// <summary>Every required attribute has a value or a reason why it is not supplied.</summary>
    public bool IsComplete => MissingAttributes.Count == 0;
}

/// <summary>
/// One model-card attribute: a value, or a reason why none is supplied. In configuration a plain string is the
/// value; <c>{ "NotSupplied": "&lt;reason&gt;" }</c> records why it is missing.
/// </summary>
[TypeConverter(typeof(ModelCardAttributeConverter))]
public sealed record ModelCardAttribute
{
    public string? Value { get; init; }

    /// <summary>Why no value is supplied, e.g. "Not externally validated yet; planned for Q3".</summary>
    public string? NotSupplied { get; init; }

    /// <summary>A value or a reason is given.</summary>
    public bool IsAnswered => !string.IsNullOrWhiteSpace(Value) || !string.IsNullOrWhiteSpace(NotSupplied);

    public static ModelCardAttribute Of(string value) => new() { Value = value };

    public static ModelCardAttribute NotSuppliedBecause(string reason) => new() { NotSupplied = reason };
}

/// <summary>One attribute of a model card, as <see cref="ModelCard.Attributes"/> lists it.</summary>
/// <param name="Path">Configuration path under the model card, e.g. <c>Chai:BasicInfo:ModelDeveloper</c>.</param>
/// <param name="Attribute">The attribute as given; null when left out.</param>
/// <param name="Required">Whether a complete card must answer it.</param>
public sealed record ModelCardAttributeEntry(string Path, ModelCardAttribute? Attribute, bool Required);

/// <summary>Lets configuration give an attribute's value as a plain string.</summary>
internal sealed class ModelCardAttributeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? new ModelCardAttribute { Value = text } : base.ConvertFrom(context, culture, value);
}

/// <summary>
/// The source attributes HTI-1 requires for a predictive decision support intervention
/// (45 CFR 170.315(b)(11)(iv)(B)(1)-(9)); all 31 are required.
/// </summary>
public sealed record PredictiveDsiSourceAttributes
{
    /// <summary>(B)(1) Details and output of the intervention.</summary>
    public DsiDetailsAndOutput DetailsAndOutput { get; init; } = new();

    /// <summary>(B)(2) Purpose of the intervention.</summary>
    public DsiPurpose Purpose { get; init; } = new();

    /// <summary>(B)(3) Cautioned out-of-scope use of the intervention.</summary>
    public DsiCautionedOutOfScopeUse CautionedOutOfScopeUse { get; init; } = new();

    /// <summary>(B)(4) Intervention development details and input features.</summary>
    public DsiDevelopmentDetails DevelopmentDetails { get; init; } = new();

    /// <summary>(B)(5) Process used to ensure fairness in development of the intervention.</summary>
    public DsiFairnessInDevelopment FairnessInDevelopment { get; init; } = new();

    /// <summary>(B)(6) External validation process.</summary>
    public DsiExternalValidation ExternalValidation { get; init; } = new();

    /// <summary>(B)(7) Quantitative measures of performance.</summary>
    public DsiPerformanceMeasures PerformanceMeasures { get; init; } = new();

    /// <summary>(B)(8) Ongoing maintenance of intervention implementation and use.</summary>
    public DsiOngoingMaintenance OngoingMaintenance { get; init; } = new();

    /// <summary>(B)(9) Update and continued validation or fairness assessment schedule.</summary>
    public DsiUpdateSchedule UpdateSchedule { get; init; } = new();

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        .. (DetailsAndOutput ?? new()).Entries($"{prefix}{nameof(DetailsAndOutput)}:"),
        .. (Purpose ?? new()).Entries($"{prefix}{nameof(Purpose)}:"),
        .. (CautionedOutOfScopeUse ?? new()).Entries($"{prefix}{nameof(CautionedOutOfScopeUse)}:"),
        .. (DevelopmentDetails ?? new()).Entries($"{prefix}{nameof(DevelopmentDetails)}:"),
        .. (FairnessInDevelopment ?? new()).Entries($"{prefix}{nameof(FairnessInDevelopment)}:"),
        .. (ExternalValidation ?? new()).Entries($"{prefix}{nameof(ExternalValidation)}:"),
        .. (PerformanceMeasures ?? new()).Entries($"{prefix}{nameof(PerformanceMeasures)}:"),
        .. (OngoingMaintenance ?? new()).Entries($"{prefix}{nameof(OngoingMaintenance)}:"),
        .. (UpdateSchedule ?? new()).Entries($"{prefix}{nameof(UpdateSchedule)}:"),
    ];
}

/// <summary>HTI-1 (B)(1): details and output of the intervention.</summary>
public sealed record DsiDetailsAndOutput
{
    /// <summary>Name and contact information for the intervention developer.</summary>
    public ModelCardAttribute? Developer { get; init; }

    /// <summary>Funding source of the technical implementation for the intervention's development.</summary>
    public ModelCardAttribute? FundingSource { get; init; }

    /// <summary>Description of the value that the intervention produces as an output.</summary>
    public ModelCardAttribute? OutputValue { get; init; }

    /// <summary>Whether the output is a prediction, classification, recommendation, evaluation, analysis or another type of output.</summary>
    public ModelCardAttribute? OutputType { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(Developer), Developer, true),
        new(prefix + nameof(FundingSource), FundingSource, true),
        new(prefix + nameof(OutputValue), OutputValue, true),
        new(prefix + nameof(OutputType), OutputType, true),
    ];
}

/// <summary>HTI-1 (B)(2): purpose of the intervention.</summary>
public sealed record DsiPurpose
{
    /// <summary>Intended use of the intervention.</summary>
    public ModelCardAttribute? IntendedUse { get; init; }

    /// <summary>Intended patient population(s) for the intervention's use.</summary>
    public ModelCardAttribute? IntendedPatientPopulation { get; init; }

    /// <summary>Intended user(s).</summary>
    public ModelCardAttribute? IntendedUsers { get; init; }

    /// <summary>Intended decision-making role the intervention was designed for: informs, augments or replaces clinical management.</summary>
    public ModelCardAttribute? DecisionMakingRole { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(IntendedUse), IntendedUse, true),
        new(prefix + nameof(IntendedPatientPopulation), IntendedPatientPopulation, true),
        new(prefix + nameof(IntendedUsers), IntendedUsers, true),
        new(prefix + nameof(DecisionMakingRole), DecisionMakingRole, true),
    ];
}

/// <summary>HTI-1 (B)(3): cautioned out-of-scope use of the intervention.</summary>
public sealed record DsiCautionedOutOfScopeUse
{
    /// <summary>Tasks, situations or populations where a user is cautioned against applying the intervention.</summary>
    public ModelCardAttribute? CautionedUses { get; init; }

    /// <summary>Known risks, inappropriate settings, inappropriate uses or known limitations.</summary>
    public ModelCardAttribute? KnownRisksAndLimitations { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(CautionedUses), CautionedUses, true),
        new(prefix + nameof(KnownRisksAndLimitations), KnownRisksAndLimitations, true),
    ];
}

/// <summary>HTI-1 (B)(4): intervention development details and input features.</summary>
public sealed record DsiDevelopmentDetails
{
    /// <summary>Exclusion and inclusion criteria that influenced the training data set.</summary>
    public ModelCardAttribute? InclusionExclusionCriteria { get; init; }

    /// <summary>
    /// Use of the (b)(11)(iv)(A)(5)-(13) variables as input features: race, ethnicity, language, sexual
    /// orientation, gender identity, sex, date of birth, social determinants of health, health status assessments.
    /// </summary>
    public ModelCardAttribute? DemographicInputFeatures { get; init; }

    /// <summary>Demographic representativeness of the training data according to those variables.</summary>
    public ModelCardAttribute? DemographicRepresentativeness { get; init; }

    /// <summary>Relevance of the training data to the intended deployed setting.</summary>
    public ModelCardAttribute? TrainingDataRelevance { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(InclusionExclusionCriteria), InclusionExclusionCriteria, true),
        new(prefix + nameof(DemographicInputFeatures), DemographicInputFeatures, true),
        new(prefix + nameof(DemographicRepresentativeness), DemographicRepresentativeness, true),
        new(prefix + nameof(TrainingDataRelevance), TrainingDataRelevance, true),
    ];
}

/// <summary>HTI-1 (B)(5): process used to ensure fairness in development of the intervention.</summary>
public sealed record DsiFairnessInDevelopment
{
    /// <summary>The approach the developer has taken to ensure that the intervention's output is fair.</summary>
    public ModelCardAttribute? FairnessApproach { get; init; }

    /// <summary>Approaches to manage, reduce or eliminate bias.</summary>
    public ModelCardAttribute? BiasManagement { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(FairnessApproach), FairnessApproach, true),
        new(prefix + nameof(BiasManagement), BiasManagement, true),
    ];
}

/// <summary>HTI-1 (B)(6): external validation process.</summary>
public sealed record DsiExternalValidation
{
    /// <summary>Data source, clinical setting or environment where validity and fairness were assessed, other than the training and testing data's.</summary>
    public ModelCardAttribute? DataSourceAndSetting { get; init; }

    /// <summary>Party that conducted the external testing.</summary>
    public ModelCardAttribute? TestingParty { get; init; }

    /// <summary>Demographic representativeness of the external data according to the (A)(5)-(13) variables.</summary>
    public ModelCardAttribute? DemographicRepresentativeness { get; init; }

    /// <summary>Description of the external validation process.</summary>
    public ModelCardAttribute? Process { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(DataSourceAndSetting), DataSourceAndSetting, true),
        new(prefix + nameof(TestingParty), TestingParty, true),
        new(prefix + nameof(DemographicRepresentativeness), DemographicRepresentativeness, true),
        new(prefix + nameof(Process), Process, true),
    ];
}

/// <summary>HTI-1 (B)(7): quantitative measures of performance.</summary>
public sealed record DsiPerformanceMeasures
{
    /// <summary>Validity in test data derived from the same source as the initial training data.</summary>
    public ModelCardAttribute? InternalValidity { get; init; }

    /// <summary>Fairness in test data derived from the same source as the initial training data.</summary>
    public ModelCardAttribute? InternalFairness { get; init; }

    /// <summary>Validity in data external to, or from a different source than, the initial training data.</summary>
    public ModelCardAttribute? ExternalValidity { get; init; }

    /// <summary>Fairness in data external to, or from a different source than, the initial training data.</summary>
    public ModelCardAttribute? ExternalFairness { get; init; }

    /// <summary>References to evaluations of the intervention's effect on outcomes (morbidity, mortality, length of stay...).</summary>
    public ModelCardAttribute? OutcomeEvaluations { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(InternalValidity), InternalValidity, true),
        new(prefix + nameof(InternalFairness), InternalFairness, true),
        new(prefix + nameof(ExternalValidity), ExternalValidity, true),
        new(prefix + nameof(ExternalFairness), ExternalFairness, true),
        new(prefix + nameof(OutcomeEvaluations), OutcomeEvaluations, true),
    ];
}

/// <summary>HTI-1 (B)(8): ongoing maintenance of intervention implementation and use.</summary>
public sealed record DsiOngoingMaintenance
{
    /// <summary>Process and frequency by which the intervention's validity is monitored over time.</summary>
    public ModelCardAttribute? ValidityMonitoring { get; init; }

    /// <summary>Validity of the intervention in local data.</summary>
    public ModelCardAttribute? LocalValidity { get; init; }

    /// <summary>Process and frequency by which the intervention's fairness is monitored over time.</summary>
    public ModelCardAttribute? FairnessMonitoring { get; init; }

    /// <summary>Fairness of the intervention in local data.</summary>
    public ModelCardAttribute? LocalFairness { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(ValidityMonitoring), ValidityMonitoring, true),
        new(prefix + nameof(LocalValidity), LocalValidity, true),
        new(prefix + nameof(FairnessMonitoring), FairnessMonitoring, true),
        new(prefix + nameof(LocalFairness), LocalFairness, true),
    ];
}

/// <summary>HTI-1 (B)(9): update and continued validation or fairness assessment schedule.</summary>
public sealed record DsiUpdateSchedule
{
    /// <summary>Process and frequency by which the intervention is updated.</summary>
    public ModelCardAttribute? UpdateProcess { get; init; }

    /// <summary>Frequency by which performance is corrected when risks related to validity and fairness are identified.</summary>
    public ModelCardAttribute? CorrectionFrequency { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(UpdateProcess), UpdateProcess, true),
        new(prefix + nameof(CorrectionFrequency), CorrectionFrequency, true),
    ];
}
