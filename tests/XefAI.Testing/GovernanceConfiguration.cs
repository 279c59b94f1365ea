using System.Text.Json.Nodes;
using XefAI.Governance;

namespace XefAI.Testing;

/// <summary>Edits of a test gateway's configuration for governance tests: use cases, tier controls and model cards.</summary>
public static class GovernanceConfiguration
{
    /// <summary>Adds a use case served by the given deployments and grants it to the named client apps.</summary>
    public static JsonObject AddUseCase(this JsonObject configuration, string id, JsonObject useCase, params string[] grantedTo)
    {
        configuration["Governance"]!["UseCases"]![id] = useCase;
        var clients = configuration["Gateway"]!["Clients"]!.AsObject();
        foreach (var app in grantedTo)
        {
            clients[app]!["UseCases"]!.AsArray().Add(id);
        }

        return useCase;
    }

    /// <summary>Sets the controls of one risk tier (<c>Governance:RiskTiers:&lt;tier&gt;</c>).</summary>
    /// <summary>The clinical sponsor of the tier-4 use cases <see cref="AddTier4UseCase"/> configures.</summary>
    public const string Tier4Sponsor = "Dr. A. Sponsor";

    /// <summary>
    /// A tier-4 use case as governance allows it in configuration: proposed, with its sponsor and a complete
    /// model card. <see cref="AdminCalls.ActivateTier4Async"/> then takes it live through the admin API.
    /// </summary>
    public static JsonObject AddTier4UseCase(this JsonObject configuration, string id, string name, string provider, params string[] grantedTo)
    {
        var useCase = configuration.AddUseCase(id, GatewayHost.UseCase(name, 4, "proposed", provider), grantedTo);
        useCase["ClinicalSponsor"] = Tier4Sponsor;
        useCase["ModelCard"] = ModelCard();
        return useCase;
    }

    public static void RiskTier(this JsonObject configuration, int tier, JsonObject controls)
    {
        var tiers = configuration["Governance"]!["RiskTiers"] as JsonObject;
        if (tiers is null)
        {
            tiers = [];
            configuration["Governance"]!["RiskTiers"] = tiers;
        }

        tiers[tier.ToString(System.Globalization.CultureInfo.InvariantCulture)] = controls;
    }

    /// <summary>
    /// A model card answering every required HTI-1 and CHAI attribute except <paramref name="leaveOut"/>, as an
    /// operator writes it under <c>Governance:UseCases:&lt;id&gt;:ModelCard</c>.
    /// </summary>
    public static JsonObject ModelCard(params string[] leaveOut)
    {
        var card = new JsonObject();
        foreach (var attribute in new ModelCard().Attributes.Where(a => a.Required && !leaveOut.Contains(a.Path)))
        {
            var node = card;
            var parts = attribute.Path.Split(':');
            foreach (var part in parts[..^1])
            {
                if (node[part] is not JsonObject child)
                {
                    child = [];
                    node[part] = child;
                }

                node = child;
            }

            node[parts[^1]] = $"{attribute.Path} as documented";
        }

        return card;
    }

    /// <summary>Paths of every required model-card attribute, e.g. <c>SourceAttributes:Purpose:IntendedUsers</c>.</summary>
    public static IReadOnlyList<string> RequiredModelCardAttributes() =>
        [.. new ModelCard().Attributes.Where(a => a.Required).Select(a => a.Path)];
}
