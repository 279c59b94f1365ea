using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class ModelCardTests : IDisposable
{
    private readonly string _folder = GovernanceServices.NewFolder();

    /// <summary>45 CFR 170.315(b)(11)(iv)(B)(1)-(9), in the rule's order.</summary>
    private static readonly string[] Hti1Attributes =
    [
        "SourceAttributes:DetailsAndOutput:Developer",
        "SourceAttributes:DetailsAndOutput:FundingSource",
        "SourceAttributes:DetailsAndOutput:OutputValue",
        "SourceAttributes:DetailsAndOutput:OutputType",
        "SourceAttributes:Purpose:IntendedUse",
        "SourceAttributes:Purpose:IntendedPatientPopulation",
        "SourceAttributes:Purpose:IntendedUsers",
        "SourceAttributes:Purpose:DecisionMakingRole",
        "SourceAttributes:CautionedOutOfScopeUse:CautionedUses",
        "SourceAttributes:CautionedOutOfScopeUse:KnownRisksAndLimitations",
        "SourceAttributes:DevelopmentDetails:InclusionExclusionCriteria",
        "SourceAttributes:DevelopmentDetails:DemographicInputFeatures",
        "SourceAttributes:DevelopmentDetails:DemographicRepresentativeness",
        "SourceAttributes:DevelopmentDetails:TrainingDataRelevance",
        "SourceAttributes:FairnessInDevelopment:FairnessApproach",
        "SourceAttributes:FairnessInDevelopment:BiasManagement",
        "SourceAttributes:ExternalValidation:DataSourceAndSetting",
        "SourceAttributes:ExternalValidation:TestingParty",
        "SourceAttributes:ExternalValidation:DemographicRepresentativeness",
        "SourceAttributes:ExternalValidation:Process",
        "SourceAttributes:PerformanceMeasures:InternalValidity",
        "SourceAttributes:PerformanceMeasures:InternalFairness",
        "SourceAttributes:PerformanceMeasures:ExternalValidity",
        "SourceAttributes:PerformanceMeasures:ExternalFairness",
        "SourceAttributes:PerformanceMeasures:OutcomeEvaluations",
        "SourceAttributes:OngoingMaintenance:ValidityMonitoring",
        "SourceAttributes:OngoingMaintenance:LocalValidity",
        "SourceAttributes:OngoingMaintenance:FairnessMonitoring",
        "SourceAttributes:OngoingMaintenance:LocalFairness",
        "SourceAttributes:UpdateSchedule:UpdateProcess",
        "SourceAttributes:UpdateSchedule:CorrectionFrequency",
    ];

    private const string Json = """
        {
          "Governance": {
            "UseCases": {
              "sepsis-risk": {
                "Name": "Sepsis risk score",
                "Owner": "Critical care",
                "ClinicalSponsor": "Dr. B. Osei",
                "IntendedUse": "Flags adult inpatients at rising risk of sepsis for nurse review.",
                "OutOfScopeUse": "Paediatric patients; diagnosis of sepsis.",
                "Tier": 4,
                "Status": "proposed",
                "Providers": [ "sepsis-v3" ],
                "AllowedApps": [ "ed-board", " sepsis-dashboard " ],
                "PromptTemplate": { "Id": "sepsis-risk", "Version": "3" },
                "ModelCard": {
                  "SourceAttributes": {
                    "DetailsAndOutput": {
                      "Developer": "Example Health AI Lab, ai-lab@example.org",
                      "FundingSource": { "NotSupplied": "Internally funded; no external funder." },
                      "OutputValue": "",
                      "OutputType": { "NotSupplied": " " }
                    }
                  },
                  "Chai": {
                    "BasicInfo": { "ModelName": "Sepsis risk v3" },
                    "ReleaseInfo": { "RegulatoryApproval": { "NotSupplied": "Not a device under FDA CDS guidance." } }
                  }
                }
              }
            }
          }
        }
        """;

    [Fact]
    public void MissingAttributes_EmptyCard_NamesAll31Hti1AttributesInTheRulesOrderThenTheChaiFields()
    {
        var missing = new ModelCard().MissingAttributes;

        Assert.Equal(Hti1Attributes, missing.Take(31));
        Assert.Equal(9, Hti1Attributes.Select(a => a.Split(':')[1]).Distinct().Count());
        Assert.All(missing.Skip(31), path => Assert.StartsWith("Chai:", path, StringComparison.Ordinal));
        Assert.Contains("Chai:BasicInfo:ModelDeveloper", missing);
        Assert.Contains("Chai:ReleaseInfo:ReleaseStage", missing);
        Assert.Contains("Chai:ReleaseInfo:ReleaseDate", missing);
        Assert.Contains("Chai:ReleaseInfo:RegulatoryApproval", missing);
        Assert.Contains("Chai:UsesAndDirections:IntendedUseAndWorkflow", missing);
        Assert.Contains("Chai:UsesAndDirections:CautionedOutOfScopeSettings", missing);
        Assert.Contains("Chai:TrustIngredients:AiSystemFacts:InputDataSource", missing);
        Assert.Contains("Chai:TrustIngredients:AiSystemFacts:DevelopmentDataCharacterization", missing);
        Assert.Contains("Chai:TrustIngredients:AiSystemFacts:BiasMitigationApproaches", missing);
        Assert.Contains("Chai:TrustIngredients:AiSystemFacts:OngoingMaintenance", missing);
        Assert.Contains("Chai:KeyMetrics:FairnessEquity:ValidationProcessAndJustification", missing);
        Assert.Contains("Chai:Bibliography", missing);
        Assert.DoesNotContain("Chai:DetailedCardLink", missing);
        Assert.DoesNotContain("Chai:ReleaseInfo:EhrCompatibility", missing);
        Assert.DoesNotContain("Chai:TrustIngredients:AiSystemFacts:FoundationModels", missing);
        Assert.False(new ModelCard().IsComplete);
    }

    [Fact]
    public void MissingAttributes_NotSuppliedWithAReason_CountsAsAnswered()
    {
        var card = new ModelCard
        {
            SourceAttributes = new()
            {
                DetailsAndOutput = new()
                {
                    Developer = ModelCardAttribute.Of("Example Health AI Lab"),
                    FundingSource = ModelCardAttribute.NotSuppliedBecause("Internally funded."),
                    OutputValue = ModelCardAttribute.NotSuppliedBecause("  "),
                    OutputType = new ModelCardAttribute(),
                },
            },
        };

        var missing = card.MissingAttributes;

        Assert.DoesNotContain("SourceAttributes:DetailsAndOutput:Developer", missing);
        Assert.DoesNotContain("SourceAttributes:DetailsAndOutput:FundingSource", missing);
        Assert.Contains("SourceAttributes:DetailsAndOutput:OutputValue", missing);
        Assert.Contains("SourceAttributes:DetailsAndOutput:OutputType", missing);
    }

    [Fact]
    public void MissingAttributes_EveryRequiredAttributeAnswered_IsComplete()
    {
        using var governance = GovernanceServices.Create(UseCases.Configured("sepsis-risk", 4, "proposed", extra: ModelCards.Complete()));

        Assert.True(governance.Get<IUseCaseRegistry>().TryGet("sepsis-risk", out var useCase));
        Assert.NotNull(useCase.ModelCard);
        Assert.Empty(useCase.ModelCard.MissingAttributes);
        Assert.True(useCase.ModelCard.IsComplete);
    }

    [Fact]
    public void TryGet_ModelCardAndNewFieldsFromJson_MapsThem()
    {
        using var services = BuildServices(Json);
        var registry = services.GetRequiredService<IUseCaseRegistry>();

        Assert.True(registry.TryGet("sepsis-risk", out var useCase));
        Assert.Equal(["ed-board", "sepsis-dashboard"], useCase.AllowedApps);
        Assert.Equal("Paediatric patients; diagnosis of sepsis.", useCase.OutOfScopeUse);
        Assert.Equal(new PromptTemplateReference("sepsis-risk", "3"), useCase.PromptTemplate);

        var card = useCase.ModelCard!;
        var details = card.SourceAttributes.DetailsAndOutput;
        Assert.Equal(ModelCardAttribute.Of("Example Health AI Lab, ai-lab@example.org"), details.Developer);
        Assert.Equal(ModelCardAttribute.NotSuppliedBecause("Internally funded; no external funder."), details.FundingSource);
        Assert.Equal("Sepsis risk v3", card.Chai.BasicInfo.ModelName?.Value);
        Assert.Equal("Not a device under FDA CDS guidance.", card.Chai.ReleaseInfo.RegulatoryApproval?.NotSupplied);

        var missing = card.MissingAttributes;
        Assert.Equal(
            ["SourceAttributes:DetailsAndOutput:OutputValue", "SourceAttributes:DetailsAndOutput:OutputType", "SourceAttributes:Purpose:IntendedUse"],
            missing.Take(3));
        Assert.DoesNotContain("Chai:BasicInfo:ModelName", missing);
        Assert.DoesNotContain("Chai:ReleaseInfo:RegulatoryApproval", missing);
    }

    [Fact]
    public void TryGet_NoModelCardConfigured_IsNull()
    {
        using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 1, "active"));

        Assert.True(governance.Get<IUseCaseRegistry>().TryGet("inbox-draft", out var useCase));
        Assert.Null(useCase.ModelCard);
        Assert.Null(useCase.PromptTemplate);
        Assert.Empty(useCase.AllowedApps);
    }

    [Fact]
    public void Options_BadNewFields_ReportsEveryError()
    {
        using var governance = GovernanceServices.Create(UseCases.Configured(
            "sepsis-risk",
            4,
            "proposed",
            extra:
            [
                ("AllowedApps:0", "ed-board"),
                ("AllowedApps:1", " "),
                ("PromptTemplate:Id", "sepsis-risk"),
                ("ModelCard:SourceAttributes:Purpose:IntendedUse:Value", "Flags adults at risk."),
                ("ModelCard:SourceAttributes:Purpose:IntendedUse:NotSupplied", "Unknown."),
            ]));

        var error = Assert.Throws<OptionsValidationException>(() => governance.Get<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        Assert.Equal(
            [
                "Governance:UseCases:sepsis-risk: AllowedApps must not hold blank app ids.",
                "Governance:UseCases:sepsis-risk: ModelCard:SourceAttributes:Purpose:IntendedUse has both a value and a NotSupplied reason; give one.",
                "Governance:UseCases:sepsis-risk: PromptTemplate needs both an Id and a Version.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    public void Dispose() => GovernanceServices.DeleteFolder(_folder);

    private ServiceProvider BuildServices(string json)
    {
        var services = new ServiceCollection();
        services.AddXefAIGovernance(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Governance:Sqlite:Path"] = Path.Combine(_folder, "governance.db") })
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .Build());
        return services.BuildServiceProvider();
    }
}
