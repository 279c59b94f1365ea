using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;
using XefAI.Integration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// CDS Hooks 2.0 service calls, translated: the hook's context and prefetch into a clinical task of the service's use
/// case (the prefetched resources are the clinical data; the hook and the context's ids are task parameters where the
/// template declares them), and the answer into cards.
/// </summary>
/// <remarks>
/// One instance per call: the service, the model card's address and the answer are known at translation and
/// rendering, and the release and a held answer's card need them.
/// <para>
/// <paramref name="templates"/> serves only a snapshot that carries no catalog (one built by hand in a test).
/// </para>
/// <para>
/// A card is <c>{"cards":[{…,"uuid":…}]}</c> with its uuid, the call's audit id, written last: the record's output hash
/// covers the cards as rendered before the record existed, and the release adds only the uuid.
/// </para>
/// </remarks>
internal sealed class CdsServiceAdapter(IPromptTemplateCatalog templates, ICdsPrefetchFetcher fetcher) : IProtocolAdapter
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The specification's limit on a card's summary.</summary>
    public const int MaxSummaryLength = 140;

    /// <summary>How a tier-3 or tier-4 card's detail starts: what the clinician reads before the answer.</summary>
    public const string DraftNotice = "**AI-generated draft: a clinician must review it before acting on it.**";

    /// <summary>Opens the detail of an answer the model stopped at its length limit (<c>finish_reason</c> <c>length</c>).</summary>
    public const string CutNotice = "**Incomplete: the answer was cut off at its length limit.**";

    /// <summary>Opens the detail of an answer the model's vendor stopped (<c>finish_reason</c> <c>content_filter</c>, e.g. an Anthropic refusal).</summary>
    public const string FilteredNotice = "**Incomplete: the model stopped this answer (refusal or content filter).**";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly byte[] CardEnd = "}]}"u8.ToArray();

    private CdsServiceOptions? _service;
    private string? _modelCardUrl;
    private CallAnswer? _answer;

    public string Route => Security.AuthRoutes.CdsHooks;

    public Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body) =>
        throw new NotSupportedException("A CDS service call may fetch prefetch: the pipeline calls TranslateAsync.");

    public async ValueTask<Translation> TranslateAsync(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        var config = httpContext.Features.Get<GatewaySnapshot>() ?? throw new InvalidOperationException("The pipeline sets the call's configuration snapshot.");
        var serviceId = httpContext.GetRouteValue("id") as string;
        if (serviceId is null || !config.CdsHooks.Services.TryGetValue(serviceId, out var service) || service is null)
        {
            return Translation.Refuse(CallError.NotFound("unknown_service", "No such CDS service; GET /cds-services lists this gateway's services.", "id"));
        }

        _service = service;
        var useCaseId = service.UseCase!;
        var request = httpContext.Request;
        _modelCardUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/v1/use-cases/{Uri.EscapeDataString(useCaseId)}/model-card";
        var maxEntries = config.Data.MaxBundleEntries;
        if (!CdsServiceRequestReader.TryRead(body, request, service.Hook!, config.Gateway.RequestLimits.MaxJsonDepth, maxEntries, config.CdsHooks.FhirServers, out var call, out var error))
        {
            return Translation.Refuse(error!);
        }

        var prefetch = new Dictionary<string, string?>(StringComparer.Ordinal);
        IReadOnlyList<string> truncated = [];
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, template) in service.Prefetch)
        {
            if (call!.Prefetch.TryGetValue(key, out var resource))
            {
                if (resource is not null && WrongType(key, template, resource) is { } wrong)
                {
                    return Translation.Refuse(wrong);
                }

                prefetch[key] = resource;
            }
            else if (CdsHookRules.Render(template, token => Resolve(call, token), out _) is { } query)
            {
                missing[key] = query;
            }
            else
            {
                // A token the context cannot fill: the specification says such a prefetch is not sent, and there is nothing to fetch.
                prefetch[key] = null;
            }
        }

        if (missing.Count > 0 && !(config.UseCases.TryGet(useCaseId, out var useCase) && useCase.IsServing))
        {
            // The kill switch stops the EHR fetch too: the policy step refuses the call, so no patient data is pulled for it.
            foreach (var key in missing.Keys)
            {
                prefetch[key] = null;
            }

            missing.Clear();
        }

        if (missing.Count > 0)
        {
            if (call!.FhirServer is not { } server)
            {
                return Translation.Refuse(new CallError(
                    StatusCodes.Status412PreconditionFailed,
                    "prefetch_missing",
                    $"Prefetch {string.Join(", ", missing.Keys.Order(StringComparer.Ordinal))} is missing and the request names no 'fhirServer' to fetch it from.",
                    "prefetch"));
            }

            var fetched = await fetcher.FetchAsync(new CdsPrefetchRequest(server, call.AccessToken, missing), httpContext.RequestAborted);
            if (fetched.Error is { } fetchError)
            {
                return Translation.Refuse(fetchError);
            }

            foreach (var key in missing.Keys)
            {
                var resource = fetched.Resources?.GetValueOrDefault(key);
                if (resource is not null)
                {
                    using var document = JsonDocument.Parse(resource);
                    if (CdsServiceRequestReader.CheckResource(document.RootElement, $"prefetch.{key}", maxEntries) is { } bad)
                    {
                        return Translation.Refuse(bad with { StatusCode = StatusCodes.Status502BadGateway, Message = $"The FHIR server answered prefetch '{key}' with something that is not FHIR." });
                    }
                }

                prefetch[key] = resource;
            }

            truncated = [.. fetched.Truncated.Select(key => $"prefetch.{key}")];
            call = call with { Prefetch = prefetch };
            if (CdsServiceRequestReader.CheckPatient(call) is { } mismatch)
            {
                return Translation.Refuse(mismatch);
            }
        }

        var inputs = service.Prefetch.Keys.Select(k => prefetch.GetValueOrDefault(k)).OfType<string>().Concat(call!.ContextResources).ToList();
        return Translation.Of(new GatewayRequest(useCaseId, CallOperation.Chat)
        {
            ClinicalInputs = inputs,
            ClinicalInputsParam = "prefetch",
            TruncatedClinicalInputs = truncated,
            TaskParameters = TaskParameters(config, useCaseId, call),
            UserId = call.Context.GetValueOrDefault("userId"),

            // The card's record names its service (feedback on it is taken at that service only) and, for a call
            // signed by a trusted EHR, which EHR it was: several may count as one app.
            AuditReason = CdsServiceReason.Of(serviceId, httpContext.Features.Get<TokenAuthenticatedClient>()?.Client),
        });
    }

    public RenderedResponse RenderAnswer(CallAnswer answer)
    {
        _answer = answer;
        var content = CdsCardMarkdown.WithoutImages(answer.Chat?.Content ?? string.Empty);
        // A card has no finish_reason: an answer the model did not finish says so where the clinician reads it.
        var notices = new List<string>(3);
        if (answer.RiskTier >= 3 || answer.Draft)
        {
            notices.Add(DraftNotice);
        }

        if (answer.Chat?.FinishReason switch { "length" => CutNotice, "content_filter" => FilteredNotice, _ => null } is { } stopped)
        {
            notices.Add(stopped);
        }

        var detail = notices.Count == 0 ? content : $"{string.Join("\n\n", notices)}\n\n{content}";
        return Cards(Summary(content), _service?.Indicator ?? "info", detail, answer);
    }

    /// <summary>The cards as rendered, with the call's audit id as the card's uuid, its last member.</summary>
    public RenderedResponse Release(RenderedResponse rendered, CallReceipt receipt) => rendered with { Body = WithUuid(rendered.Body, receipt.AuditId) };

    /// <summary>
    /// A held answer is never shown: one card says a clinician review is pending, with the review's id, and carries
    /// the held call's audit id as its uuid, so feedback on it lands on that record.
    /// </summary>
    public RenderedResponse RenderHeld(HeldCall held)
    {
        var pending = Cards(
            "Clinician review pending: this AI answer is held until a clinician approves it.",
            "info",
            $"{DraftNotice}\n\nThe answer to this request is held for clinician review (review `{held.ReviewId}`) and is not shown here. " +
            "It is released to the ordering app only once a clinician approves it.",
            _answer);
        return pending with { Body = WithUuid(pending.Body, held.AuditId) };
    }

    /// <summary>The specification's error convention: the HTTP status says what failed, the body explains it.</summary>
    public RenderedResponse RenderError(CallError error) => Error(error);

    /// <inheritdoc cref="RenderError"/>
    public static RenderedResponse Error(CallError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + error.Message.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", error.Code);
            writer.WriteString("message", error.Message);
            if (error.Param is { } param)
            {
                writer.WriteString("param", param);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new RenderedResponse(error.StatusCode, ContentType, buffer.WrittenMemory.ToArray());
    }

    /// <summary>
    /// A prefetched resource must be what its template asks for, as a fetched one must: a read (<c>Patient/{{context.patientId}}</c>)
    /// the resource of that type, a search (<c>Condition?patient=…</c>) a Bundle. An Observation sent as the patient left
    /// the chart without its Patient, and the call was answered as if the EHR had none.
    /// </summary>
    private static CallError? WrongType(string key, string template, string resource)
    {
        using var document = JsonDocument.Parse(resource);
        var type = document.RootElement.GetProperty("resourceType").GetString();
        var search = template.IndexOfAny(['?', '/']) is var at && (at < 0 || template[at] == '?');
        var expected = search ? "Bundle" : template[..template.IndexOf('/', StringComparison.Ordinal)];
        if (type == expected)
        {
            return null;
        }

        var path = $"prefetch.{Clinical.ClinicalTaskRequestReader.Echo(key)}";
        var asks = search ? "is a search, answered by a Bundle" : $"reads a {Clinical.ClinicalTaskRequestReader.Echo(expected)}";
        return CallError.InvalidRequest(
            "invalid_prefetch", $"{path} is of type {Clinical.ClinicalTaskRequestReader.Echo(type ?? "")}, but this service's prefetch template for it {asks}.", path);
    }

    /// <summary>The first sentence of the answer, at most 140 characters, cut with an ellipsis.</summary>
    public static string Summary(string content)
    {
        var text = CdsCardText.Clean(content, multiline: true).Trim().TrimStart('#', ' ', '>', '*', '-').Trim();
        var end = text.Length;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r' || (text[i] is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]))))
            {
                end = text[i] is '\n' or '\r' ? i : i + 1;
                break;
            }
        }

        var sentence = text[..end].Replace('\t', ' ').Trim();
        if (sentence.Length == 0)
        {
            return "The model gave no answer text.";
        }

        return sentence.Length <= MaxSummaryLength ? sentence : string.Concat(sentence.AsSpan(0, MaxSummaryLength - 1).TrimEnd(), "…");
    }

    private RenderedResponse Cards(string summary, string indicator, string detail, CallAnswer? answer)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + (detail.Length * 2));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("cards");
            writer.WriteStartObject();
            // Every text a card carries may hold what a model or a vendor wrote (the source label is the vendor's model
            // name); each is cleaned where the card is written, so no field is missed.
            writer.WriteString("summary", CdsCardText.Clean(summary, multiline: false));
            writer.WriteString("indicator", indicator);
            writer.WriteString("detail", CdsCardText.Clean(detail, multiline: true));
            writer.WriteStartObject("source");
            writer.WriteString("label", CdsCardText.Clean(SourceLabel(answer), multiline: false));
            if (_modelCardUrl is not null)
            {
                writer.WriteString("url", _modelCardUrl);
            }

            writer.WriteEndObject();
            WriteTemplateOffers(writer, answer?.Prompt);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new RenderedResponse(StatusCodes.Status200OK, ContentType, buffer.WrittenMemory.ToArray());
    }

    // The template's suggestions (labels only: no action ever changes the record) and links, on an answered card.
    private static void WriteTemplateOffers(Utf8JsonWriter writer, RenderedPrompt? prompt)
    {
        if (prompt is null)
        {
            return;
        }

        if (prompt.Suggestions.Count > 0)
        {
            writer.WriteStartArray("suggestions");
            foreach (var suggestion in prompt.Suggestions)
            {
                writer.WriteStartObject();
                writer.WriteString("label", CdsCardText.Clean(suggestion.Label, multiline: false));
                writer.WriteString("uuid", suggestion.Id);
                writer.WriteBoolean("isRecommended", suggestion.IsRecommended);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (prompt.Links.Count > 0)
        {
            writer.WriteStartArray("links");
            foreach (var link in prompt.Links)
            {
                writer.WriteStartObject();
                writer.WriteString("label", CdsCardText.Clean(link.Label, multiline: false));
                writer.WriteString("url", CdsCardText.Clean(link.Url, multiline: false));
                writer.WriteString("type", "absolute");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    private static string SourceLabel(CallAnswer? answer)
    {
        if (answer is null)
        {
            return "XefAI Gateway";
        }

        var model = string.IsNullOrWhiteSpace(answer.Chat?.Model) ? answer.Deployment.VendorModel : answer.Chat.Model;
        return string.IsNullOrWhiteSpace(answer.Deployment.Version) ? model : $"{model} {answer.Deployment.Version}";
    }

    /// <summary>{"cards":[{…}]} → {"cards":[{…,"uuid":"…"}]}.</summary>
    private static byte[] WithUuid(ReadOnlyMemory<byte> cards, string uuid)
    {
        var body = cards.Span;
        if (!body.EndsWith(CardEnd))
        {
            throw new InvalidOperationException("A CDS response is rendered as one card.");
        }

        var member = Encoding.UTF8.GetBytes($",\"uuid\":{JsonSerializer.Serialize(uuid)}");
        var released = new byte[body.Length + member.Length];
        body[..^CardEnd.Length].CopyTo(released);
        member.CopyTo(released.AsSpan(body.Length - CardEnd.Length));
        CardEnd.CopyTo(released.AsSpan(released.Length - CardEnd.Length));
        return released;
    }

    /// <summary>
    /// The hook and the context's text members the use case's template declares as task parameters: a template that
    /// declares <c>patientId</c> or <c>hook</c> gets it; nothing else is passed, so no template is refused for a
    /// context member it never asked for. The template is the call's snapshot's, the one its prompt is composed with:
    /// a reload during the call cannot hand it another version's parameters.
    /// </summary>
    private Dictionary<string, string> TaskParameters(GatewaySnapshot config, string useCaseId, CdsServiceCall call)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!config.UseCases.TryGet(useCaseId, out var useCase) || useCase.PromptTemplate is not { } reference
            || (config.Prompts ?? templates).Find(reference.Id, reference.Version) is not { } template)
        {
            return parameters;
        }

        foreach (var declared in template.Parameters)
        {
            if (declared.Name == "hook")
            {
                parameters["hook"] = call.Hook;
            }
            else if (call.Context.TryGetValue(declared.Name, out var value))
            {
                parameters[declared.Name] = value;
            }
        }

        return parameters;
    }

    /// <summary>A prefetch token's value: <c>context.x</c> from the context, <c>userPractitionerId</c> and its kin from <c>context.userId</c>.</summary>
    private static string? Resolve(CdsServiceCall call, string token)
    {
        if (token.StartsWith("context.", StringComparison.Ordinal))
        {
            return call.Context.GetValueOrDefault(token["context.".Length..]);
        }

        var type = token switch
        {
            "userPractitionerId" => "Practitioner/",
            "userPractitionerRoleId" => "PractitionerRole/",
            "userPatientId" => "Patient/",
            "userRelatedPersonId" => "RelatedPerson/",
            _ => null,
        };
        return type is not null && call.Context.GetValueOrDefault("userId") is { } user && user.StartsWith(type, StringComparison.Ordinal)
            ? user[type.Length..]
            : null;
    }
}
