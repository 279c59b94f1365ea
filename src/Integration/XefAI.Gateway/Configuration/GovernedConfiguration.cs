using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// The governance-relevant part of a configuration snapshot as one canonical JSON document and its SHA-256: what a
/// committee must be able to prove was in force when a call was answered (use cases and their tiers' controls,
/// deployments and their model versions, apps' grants, the limits that decide calls). Built once per snapshot.
/// </summary>
/// <remarks>
/// <para>An allow-list: only the fields named here are written, so a secret added to configuration later cannot slip
/// in. Never an app's or admin's key hash, a vendor key (or the variable naming it), a connection string, the pseudonym
/// salt, a FHIR server's token, an inline JWK or a URL's user info or query.</para>
/// <para>Canonical: object keys sorted by ordinal, no whitespace, no value that depends on the machine (paths, processor
/// counts, host names), so replicas loading the same files write the same hash.</para>
/// </remarks>
internal sealed class GovernedConfiguration
{
    /// <summary>Bumped when what the document holds changes shape.</summary>
    public const int Schema = 1;

    /// <summary>The prefix of the reason that names a call's configuration (<c>config:&lt;sha256&gt;</c>).</summary>
    public const string ReasonPrefix = "config:";

    private static readonly string[] Sections = ["useCases", "deployments", "apps", "cdsServices", "cdsClients", "clusters", "policies"];

    private GovernedConfiguration(string json, IReadOnlyDictionary<string, string> items)
    {
        Json = json;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        Reason = ReasonPrefix + Sha256;
        Items = items;
    }

    /// <summary>The canonical JSON.</summary>
    public string Json { get; }

    /// <summary>SHA-256 (lower-case hex) of <see cref="Json"/>'s UTF-8 bytes.</summary>
    public string Sha256 { get; }

    /// <summary><c>config:&lt;sha256&gt;</c>, the reason every call's record carries; one string per snapshot, not per call.</summary>
    public string Reason { get; }

    /// <summary>Each section's entries by <c>section/id</c>, canonical, to name what an edit added, removed or changed.</summary>
    public IReadOnlyDictionary<string, string> Items { get; }

    /// <param name="clusters">The <c>ReverseProxy</c> section as captured for this snapshot (keys below it), or null.</param>
    public static GovernedConfiguration Of(GatewaySnapshot snapshot, IReadOnlyDictionary<string, string?>? clusters)
    {
        var root = new JsonObject
        {
            ["schema"] = Schema,
            ["useCases"] = UseCases(snapshot),
            ["deployments"] = Deployments(snapshot.Models),
            ["apps"] = Apps(snapshot.Gateway),
            ["admins"] = new JsonArray([.. snapshot.Gateway.Admins.Keys.Order(StringComparer.Ordinal).Select(n => (JsonNode?)n)]),
            ["cdsServices"] = CdsServices(snapshot.CdsHooks),
            ["cdsClients"] = CdsClients(snapshot.CdsHooks),
            ["clusters"] = Clusters(clusters),
            ["policies"] = Policies(snapshot),
        };

        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in Sections)
        {
            foreach (var (id, node) in root[section]!.AsObject())
            {
                items[$"{section}/{id}"] = Canonical(node);
            }
        }

        foreach (var name in snapshot.Gateway.Admins.Keys)
        {
            items[$"admins/{name}"] = string.Empty;
        }

        return new GovernedConfiguration(Canonical(root), items);
    }

    /// <summary>
    /// What changed from <paramref name="before"/> to this one, at a glance: <c>{section}_{added|removed|changed}:id,id</c>
    /// parts joined with <c>;</c>, ids reduced to a safe alphabet and at most <paramref name="maxIds"/> per part.
    /// Empty when nothing governance-relevant changed.
    /// </summary>
    public IReadOnlyList<string> ChangesFrom(GovernedConfiguration before, int maxIds = 16)
    {
        var parts = new List<string>();
        foreach (var section in Sections.Append("admins"))
        {
            var prefix = section + "/";
            var added = new List<string>();
            var removed = new List<string>();
            var changed = new List<string>();
            foreach (var (key, value) in Items.Where(i => i.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                if (!before.Items.TryGetValue(key, out var old))
                {
                    added.Add(key[prefix.Length..]);
                }
                else if (!string.Equals(old, value, StringComparison.Ordinal))
                {
                    changed.Add(key[prefix.Length..]);
                }
            }

            removed.AddRange(before.Items.Keys
                .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !Items.ContainsKey(k))
                .Order(StringComparer.Ordinal)
                .Select(k => k[prefix.Length..]));
            var name = SectionCode(section);
            Add(parts, name + "_added", added, maxIds);
            Add(parts, name + "_removed", removed, maxIds);
            Add(parts, name + "_changed", changed, maxIds);
        }

        return parts;
    }

    private static void Add(List<string> parts, string label, List<string> ids, int maxIds)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var shown = string.Join(',', ids.Take(maxIds).Select(SafeId));
        parts.Add(ids.Count > maxIds ? $"{label}:{shown},+{ids.Count - maxIds}" : $"{label}:{shown}");
    }

    private static string SectionCode(string section) => section switch
    {
        "useCases" => "use_cases",
        "cdsServices" => "cds_services",
        "cdsClients" => "cds_clients",
        _ => section,
    };

    /// <summary>Configuration ids are keys an engineer wrote; the reasons keep only a bounded, separator-free alphabet of them.</summary>
    internal static string SafeId(string id)
    {
        if (id.Length == 0)
        {
            return "_";
        }

        var chars = id.Length > 64 ? id.AsSpan(0, 64).ToArray() : id.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '-' or '_' or '.'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static JsonObject UseCases(GatewaySnapshot snapshot)
    {
        // The registry resolves tiers' controls, templates and opt-outs. What it shows calls has governance state laid over
        // configuration (and reads the state store, which may be down): its use cases as configured are what is described.
        var configured = snapshot.UseCases is IConfiguredUseCaseRegistry registry
            ? registry.Configured.ToDictionary(u => u.Id, StringComparer.Ordinal)
            : [];
        var result = new JsonObject();
        foreach (var (id, options) in snapshot.Governance.UseCases)
        {
            var useCase = configured.GetValueOrDefault(id);
            var timeouts = snapshot.Resilience.TimeoutsFor(id);
            var template = useCase?.PromptTemplate;
            var templateInfo = template is null ? null : snapshot.Prompts?.Find(template.Id, template.Version);
            result[id] = new JsonObject
            {
                ["name"] = options.Name,
                ["owner"] = options.Owner,
                ["clinicalSponsor"] = options.ClinicalSponsor,
                ["intendedUse"] = options.IntendedUse,
                ["outOfScopeUse"] = options.OutOfScopeUse,
                ["tier"] = options.Tier,
                ["status"] = options.Status?.Trim().ToLowerInvariant(),
                ["statusReason"] = options.StatusReason,
                ["providers"] = Strings(options.Providers),
                ["allowedApps"] = Strings(options.AllowedApps),
                ["promptTemplate"] = template is null ? null : new JsonObject
                {
                    ["id"] = template.Id,
                    ["version"] = template.Version,
                    ["sha256"] = templateInfo?.Sha256,
                },
                ["deIdentificationOptOut"] = useCase?.DeIdentificationOptOut,
                ["outputLabels"] = Strings(useCase?.OutputLabels ?? []),
                ["controls"] = Controls(useCase?.TierControls),
                ["timeouts"] = new JsonObject { ["total"] = Span(timeouts.Total), ["attempt"] = Span(timeouts.Attempt) },
                ["modelCard"] = Card(useCase?.ModelCard),
            };
        }

        return result;
    }

    private static JsonObject? Controls(TierControls? controls) => controls is null ? null : new JsonObject
    {
        ["requireBaa"] = controls.RequireBaa,
        ["deIdentifyUnlessBaa"] = controls.DeIdentifyUnlessBaa,
        ["reIdentifyAnswers"] = controls.ReIdentifyAnswers,
        ["review"] = controls.Review,
        ["auditVerbatim"] = controls.AuditVerbatim,
        ["verbatimAuditText"] = controls.VerbatimAuditText,
        ["maxTokens"] = controls.MaxTokens,
        ["rateLimit"] = controls.RateLimit is { } limit
            ? new JsonObject { ["permitLimit"] = limit.PermitLimit, ["window"] = Span(limit.Window) }
            : null,
        ["allowedLifecycles"] = Strings(controls.AllowedLifecycles),
    };

    private static JsonObject? Card(ModelCard? card)
    {
        if (card is null)
        {
            return null;
        }

        var result = new JsonObject();
        foreach (var entry in card.Attributes)
        {
            if (entry.Attribute is { } attribute)
            {
                result[entry.Path] = attribute.Value is not null
                    ? attribute.Value
                    : new JsonObject { ["notSupplied"] = attribute.NotSupplied };
            }
        }

        return result;
    }

    private static JsonObject Deployments(IModelRegistry models)
    {
        var result = new JsonObject();
        foreach (var d in models.All)
        {
            result[d.Id] = new JsonObject
            {
                ["kind"] = d.Kind,
                ["cluster"] = d.Cluster,
                ["model"] = d.VendorModel,
                ["version"] = d.Version,
                ["baa"] = d.HasBaa,
                ["lifecycle"] = d.Lifecycle.ToString().ToLowerInvariant(),
                ["sunsetDate"] = d.SunsetDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["operations"] = d.Operations switch
                {
                    ModelOperations.Chat => "chat",
                    ModelOperations.Embeddings => "embeddings",
                    _ => "chat,embeddings",
                },
                ["embeddingDimensions"] = d.EmbeddingDimensions,
                ["pricePer1K"] = d.Pricing is { } p ? new JsonObject { ["input"] = p.InputPer1K, ["output"] = p.OutputPer1K } : null,
            };
        }

        return result;
    }

    // App ids and their grants; never a key or its hash.
    private static JsonObject Apps(GatewayOptions gateway)
    {
        var result = new JsonObject();
        foreach (var (id, app) in gateway.Clients)
        {
            result[id] = new JsonObject { ["useCases"] = Strings(app.UseCases) };
        }

        return result;
    }

    private static JsonObject CdsServices(CdsHooksOptions cds)
    {
        var result = new JsonObject();
        foreach (var (id, service) in cds.Services)
        {
            result[id] = new JsonObject
            {
                ["useCase"] = service.UseCase,
                ["hook"] = service.Hook,
                ["prefetch"] = Strings(service.Prefetch.Keys),
            };
        }

        return result;
    }

    // Who may call as which app; the EHR's keys (inline JWKs) and URLs' credentials stay out.
    private static JsonObject CdsClients(CdsHooksOptions cds)
    {
        var result = new JsonObject();
        foreach (var (id, client) in cds.Clients)
        {
            result[id] = new JsonObject
            {
                ["issuer"] = client.Issuer,
                ["subject"] = client.Subject,
                ["app"] = client.App,
                ["jwksUrls"] = Strings(client.AllJwksUrls().Select(SafeUrl)),
            };
        }

        return result;
    }

    // Where a cluster's calls go: each destination's address, without credentials or query. Keys, headers and metadata
    // (which name the variable a vendor key is read from) stay out.
    private static JsonObject Clusters(IReadOnlyDictionary<string, string?>? proxy)
    {
        var result = new JsonObject();
        if (proxy is null)
        {
            return result;
        }

        foreach (var (key, value) in proxy.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            // ReverseProxy:Clusters:{cluster}:Destinations:{destination}:Address
            var parts = key.Split(':');
            if (parts.Length != 6 || !parts[1].Equals("Clusters", StringComparison.OrdinalIgnoreCase)
                || !parts[3].Equals("Destinations", StringComparison.OrdinalIgnoreCase)
                || !parts[5].Equals("Address", StringComparison.OrdinalIgnoreCase) || value is null)
            {
                continue;
            }

            if (result[parts[2]] is not JsonObject cluster)
            {
                cluster = [];
                result[parts[2]] = cluster;
            }

            cluster[parts[4]] = SafeUrl(value);
        }

        return result;
    }

    private static JsonObject Policies(GatewaySnapshot snapshot)
    {
        var gateway = snapshot.Gateway;
        var resilience = snapshot.Resilience;
        var governance = snapshot.Governance;
        return new JsonObject
        {
            ["requests"] = new JsonObject
            {
                ["maxRequestBodyBytes"] = gateway.MaxRequestBodyBytes,
                ["maxResponseBodyBytes"] = gateway.MaxResponseBodyBytes,
                ["maxJsonDepth"] = gateway.MaxJsonDepth,
                ["maxMessages"] = gateway.MaxMessages,
                ["maxEmbeddingInputs"] = gateway.MaxEmbeddingInputs,
                ["vendorTimeout"] = Span(gateway.VendorTimeout),
                ["streamIdleTimeout"] = Span(gateway.StreamIdleTimeout),
                ["maxStreamLineBytes"] = gateway.MaxStreamLineBytes,
            },
            ["resilience"] = new JsonObject
            {
                ["totalTimeout"] = Span(resilience.TotalTimeout),
                ["attemptTimeout"] = Span(resilience.AttemptTimeout),
                ["maxRetries"] = resilience.MaxRetries,
                ["retryBaseDelay"] = Span(resilience.RetryBaseDelay),
                ["maxRetryAfter"] = Span(resilience.MaxRetryAfter),
                ["breakerFailureRatio"] = resilience.BreakerFailureRatio,
                ["breakerMinimumThroughput"] = resilience.BreakerMinimumThroughput,
                ["breakerSamplingDuration"] = Span(resilience.BreakerSamplingDuration),
                ["breakerBreakDuration"] = Span(resilience.BreakerBreakDuration),
            },
            ["incidents"] = new JsonObject
            {
                ["suspendAfter"] = governance.Incidents.SuspendAfter,
                ["window"] = Span(governance.Incidents.Window),
            },
            ["errorRate"] = new JsonObject
            {
                ["threshold"] = governance.ErrorRate.Threshold,
                ["minimumCalls"] = governance.ErrorRate.MinimumCalls,
                ["window"] = Span(governance.ErrorRate.Window),
            },
            ["data"] = new JsonObject
            {
                ["maxBundleEntries"] = snapshot.Data.MaxBundleEntries,
                ["maxJsonDepth"] = snapshot.Data.MaxJsonDepth,
            },
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    private static string Span(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>A URL without its user info, query or fragment: where calls go, never a credential put in the address.</summary>
    internal static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : "invalid";

    /// <summary>The node written with object keys in ordinal order and no whitespace.</summary>
    internal static string Canonical(JsonNode? node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
