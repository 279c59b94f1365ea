namespace XefAI.Governance;

/// <summary>
/// The CHAI Applied Model Card (coalition-for-health-ai/mc-schema, v0.2). Fields the schema requires are
/// required here, and so is <see cref="ChaiReleaseInfo.RegulatoryApproval"/> (a "not regulated" reason
/// answers it); the schema's optional fields, and <see cref="DetailedCardLink"/>, are optional.
/// </summary>
public sealed record ChaiModelCard
{
    public ChaiBasicInfo BasicInfo { get; init; } = new();

    public ChaiReleaseInfo ReleaseInfo { get; init; } = new();

    public ChaiModelSummary ModelSummary { get; init; } = new();

    public ChaiUsesAndDirections UsesAndDirections { get; init; } = new();

    public ChaiWarnings Warnings { get; init; } = new();

    public ChaiTrustIngredients TrustIngredients { get; init; } = new();

    public ChaiKeyMetrics KeyMetrics { get; init; } = new();

    public ChaiResources Resources { get; init; } = new();

    /// <summary>References in BibTeX, as the schema's <c>Bibliography</c> element.</summary>
    public ModelCardAttribute? Bibliography { get; init; }

    /// <summary>Where the full card is published (not a schema element; optional).</summary>
    public ModelCardAttribute? DetailedCardLink { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        .. (BasicInfo ?? new()).Entries($"{prefix}{nameof(BasicInfo)}:"),
        .. (ReleaseInfo ?? new()).Entries($"{prefix}{nameof(ReleaseInfo)}:"),
        .. (ModelSummary ?? new()).Entries($"{prefix}{nameof(ModelSummary)}:"),
        .. (UsesAndDirections ?? new()).Entries($"{prefix}{nameof(UsesAndDirections)}:"),
        .. (Warnings ?? new()).Entries($"{prefix}{nameof(Warnings)}:"),
        .. (TrustIngredients ?? new()).Entries($"{prefix}{nameof(TrustIngredients)}:"),
        .. (KeyMetrics ?? new()).Entries($"{prefix}{nameof(KeyMetrics)}:"),
        .. (Resources ?? new()).Entries($"{prefix}{nameof(Resources)}:"),
        new(prefix + nameof(Bibliography), Bibliography, true),
        new(prefix + nameof(DetailedCardLink), DetailedCardLink, false),
    ];
}

/// <summary>CHAI: who made the model.</summary>
public sealed record ChaiBasicInfo
{
    public ModelCardAttribute? ModelName { get; init; }

    public ModelCardAttribute? ModelDeveloper { get; init; }

    public ModelCardAttribute? DeveloperContact { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(ModelName), ModelName, true),
        new(prefix + nameof(ModelDeveloper), ModelDeveloper, true),
        new(prefix + nameof(DeveloperContact), DeveloperContact, true),
    ];
}

/// <summary>CHAI: release stage, date and version, availability, regulatory approval.</summary>
public sealed record ChaiReleaseInfo
{
    /// <summary>E.g. pilot, beta, generally available.</summary>
    public ModelCardAttribute? ReleaseStage { get; init; }

    public ModelCardAttribute? ReleaseDate { get; init; }

    public ModelCardAttribute? ReleaseVersion { get; init; }

    public ModelCardAttribute? GlobalAvailability { get; init; }

    /// <summary>E.g. FDA 510(k) number; required here even though the schema makes it optional.</summary>
    public ModelCardAttribute? RegulatoryApproval { get; init; }

    public ModelCardAttribute? EhrCompatibility { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(ReleaseStage), ReleaseStage, true),
        new(prefix + nameof(ReleaseDate), ReleaseDate, true),
        new(prefix + nameof(ReleaseVersion), ReleaseVersion, true),
        new(prefix + nameof(GlobalAvailability), GlobalAvailability, true),
        new(prefix + nameof(RegulatoryApproval), RegulatoryApproval, true),
        new(prefix + nameof(EhrCompatibility), EhrCompatibility, false),
    ];
}

/// <summary>CHAI: what the model does, in brief.</summary>
public sealed record ChaiModelSummary
{
    public ModelCardAttribute? Summary { get; init; }

    public ModelCardAttribute? Keywords { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(Summary), Summary, true),
        new(prefix + nameof(Keywords), Keywords, false),
    ];
}

/// <summary>CHAI: intended use and workflow, users, patients, cautioned uses.</summary>
public sealed record ChaiUsesAndDirections
{
    public ModelCardAttribute? IntendedUseAndWorkflow { get; init; }

    public ModelCardAttribute? PrimaryIntendedUsers { get; init; }

    public ModelCardAttribute? HowToUse { get; init; }

    public ModelCardAttribute? TargetedPatientPopulation { get; init; }

    public ModelCardAttribute? CautionedOutOfScopeSettings { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(IntendedUseAndWorkflow), IntendedUseAndWorkflow, true),
        new(prefix + nameof(PrimaryIntendedUsers), PrimaryIntendedUsers, true),
        new(prefix + nameof(HowToUse), HowToUse, true),
        new(prefix + nameof(TargetedPatientPopulation), TargetedPatientPopulation, true),
        new(prefix + nameof(CautionedOutOfScopeSettings), CautionedOutOfScopeSettings, true),
    ];
}

/// <summary>CHAI: known risks, biases and clinical risk level.</summary>
public sealed record ChaiWarnings
{
    public ModelCardAttribute? KnownRisksAndLimitations { get; init; }

    public ModelCardAttribute? KnownBiasesOrEthicalConsiderations { get; init; }

    public ModelCardAttribute? ClinicalRiskLevel { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(KnownRisksAndLimitations), KnownRisksAndLimitations, true),
        new(prefix + nameof(KnownBiasesOrEthicalConsiderations), KnownBiasesOrEthicalConsiderations, true),
        new(prefix + nameof(ClinicalRiskLevel), ClinicalRiskLevel, true),
    ];
}

/// <summary>CHAI: the AI system's facts and transparency information.</summary>
public sealed record ChaiTrustIngredients
{
    public ChaiAiSystemFacts AiSystemFacts { get; init; } = new();

    public ChaiTransparencyInformation TransparencyInformation { get; init; } = new();

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        .. (AiSystemFacts ?? new()).Entries($"{prefix}{nameof(AiSystemFacts)}:"),
        .. (TransparencyInformation ?? new()).Entries($"{prefix}{nameof(TransparencyInformation)}:"),
    ];
}

/// <summary>CHAI: outputs, model type, inputs, training data, bias mitigation, maintenance.</summary>
public sealed record ChaiAiSystemFacts
{
    public ModelCardAttribute? OutcomesAndOutputs { get; init; }

    public ModelCardAttribute? ModelType { get; init; }

    public ModelCardAttribute? FoundationModels { get; init; }

    public ModelCardAttribute? InputDataSource { get; init; }

    public ModelCardAttribute? OutputAndInputDataTypes { get; init; }

    /// <summary>The training (development) data: sources, size, population, time span.</summary>
    public ModelCardAttribute? DevelopmentDataCharacterization { get; init; }

    public ModelCardAttribute? BiasMitigationApproaches { get; init; }

    public ModelCardAttribute? OngoingMaintenance { get; init; }

    public ModelCardAttribute? Security { get; init; }

    public ModelCardAttribute? Transparency { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(OutcomesAndOutputs), OutcomesAndOutputs, true),
        new(prefix + nameof(ModelType), ModelType, true),
        new(prefix + nameof(FoundationModels), FoundationModels, false),
        new(prefix + nameof(InputDataSource), InputDataSource, true),
        new(prefix + nameof(OutputAndInputDataTypes), OutputAndInputDataTypes, true),
        new(prefix + nameof(DevelopmentDataCharacterization), DevelopmentDataCharacterization, true),
        new(prefix + nameof(BiasMitigationApproaches), BiasMitigationApproaches, true),
        new(prefix + nameof(OngoingMaintenance), OngoingMaintenance, true),
        new(prefix + nameof(Security), Security, false),
        new(prefix + nameof(Transparency), Transparency, false),
    ];
}

/// <summary>CHAI: funding, third parties, stakeholders consulted.</summary>
public sealed record ChaiTransparencyInformation
{
    public ModelCardAttribute? FundingSource { get; init; }

    public ModelCardAttribute? ThirdPartyInformation { get; init; }

    public ModelCardAttribute? StakeholdersConsulted { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(FundingSource), FundingSource, true),
        new(prefix + nameof(ThirdPartyInformation), ThirdPartyInformation, false),
        new(prefix + nameof(StakeholdersConsulted), StakeholdersConsulted, true),
    ];
}

/// <summary>CHAI: the evaluation of usefulness, fairness and safety.</summary>
public sealed record ChaiKeyMetrics
{
    public ChaiKeyMetric UsefulnessUsabilityEfficacy { get; init; } = new();

    public ChaiKeyMetric FairnessEquity { get; init; } = new();

    public ChaiKeyMetric SafetyReliability { get; init; } = new();

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        .. (UsefulnessUsabilityEfficacy ?? new()).Entries($"{prefix}{nameof(UsefulnessUsabilityEfficacy)}:"),
        .. (FairnessEquity ?? new()).Entries($"{prefix}{nameof(FairnessEquity)}:"),
        .. (SafetyReliability ?? new()).Entries($"{prefix}{nameof(SafetyReliability)}:"),
    ];
}

/// <summary>CHAI: one key metric, its results and how it was validated.</summary>
public sealed record ChaiKeyMetric
{
    public ModelCardAttribute? MetricGoal { get; init; }

    /// <summary>The results (the schema's labelled values), as text.</summary>
    public ModelCardAttribute? Results { get; init; }

    public ModelCardAttribute? Interpretation { get; init; }

    public ModelCardAttribute? TestType { get; init; }

    public ModelCardAttribute? TestingDataDescription { get; init; }

    public ModelCardAttribute? ValidationProcessAndJustification { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(MetricGoal), MetricGoal, true),
        new(prefix + nameof(Results), Results, true),
        new(prefix + nameof(Interpretation), Interpretation, true),
        new(prefix + nameof(TestType), TestType, true),
        new(prefix + nameof(TestingDataDescription), TestingDataDescription, true),
        new(prefix + nameof(ValidationProcessAndJustification), ValidationProcessAndJustification, true),
    ];
}

/// <summary>CHAI: publications, trials, reimbursement, patient consent.</summary>
public sealed record ChaiResources
{
    public ModelCardAttribute? EvaluationReferences { get; init; }

    public ModelCardAttribute? ClinicalTrial { get; init; }

    public ModelCardAttribute? PeerReviewedPublications { get; init; }

    public ModelCardAttribute? ReimbursementStatus { get; init; }

    public ModelCardAttribute? PatientConsentOrDisclosure { get; init; }

    internal IEnumerable<ModelCardAttributeEntry> Entries(string prefix) =>
    [
        new(prefix + nameof(EvaluationReferences), EvaluationReferences, false),
        new(prefix + nameof(ClinicalTrial), ClinicalTrial, false),
        new(prefix + nameof(PeerReviewedPublications), PeerReviewedPublications, true),
        new(prefix + nameof(ReimbursementStatus), ReimbursementStatus, false),
        new(prefix + nameof(PatientConsentOrDisclosure), PatientConsentOrDisclosure, true),
    ];
}
