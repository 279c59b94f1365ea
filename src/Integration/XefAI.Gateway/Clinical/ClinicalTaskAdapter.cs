using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using XefAI.Data;
using XefAI.Data.Configuration;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Fhir;
using XefAI.Gateway.Security;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Clinical;

/// <summary>
/// The clinical task API, translated: a FHIR Bundle and task parameters into a call whose conversation the use case's
/// prompt template writes; the answer into a result naming the template, the data warnings and, once the record is
/// committed, the audit id and a FHIR Provenance of the output; errors into OperationOutcomes.
/// </summary>
/// <remarks>
/// One instance per call: what the Provenance needs (the input's hash, the answer) is known at translation and
/// rendering, and the release only gets the rendered bytes and the record's receipt.
/// </remarks>
internal sealed class ClinicalTaskAdapter(
    IFhirAuditExporter exporter, IOptionsMonitor<DataOptions> data, IFhirServerClient? fhirServers = null, IOptionsMonitor<ClinicalTaskOptions>? clinicalTasks = null)
    : IProtocolAdapter
{
    public const string ResultObject = "clinical_task.result";

    /// <summary>How the gateway names itself as the agent that assembled the model's input.</summary>
    public const string GatewayName = "XefAI Gateway";

    private const string JsonContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private string? _inputSha256;
    private string? _useCaseName;
    private CallAnswer? _answer;

    public string Route => AuthRoutes.Invoke;

    /// <remarks>The pipeline calls <see cref="TranslateAsync"/>; a patient id needs its fetch, which only that one does.</remarks>
    public Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        var translation = TranslateBody(httpContext, body, out var patientId);
        return patientId is null ? translation : throw new NotSupportedException("A clinical task with a patient id is translated by TranslateAsync.");
    }

    /// <summary>
    /// A Bundle is read as sent; a patient id (<c>{"patient": "123"}</c>) has the use case's FHIR server queried for the
    /// patient's data first (<see cref="ClinicalTaskOptions"/>), within the Data layer's client's bounds.
    /// </summary>
    public async ValueTask<Translation> TranslateAsync(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        var translation = TranslateBody(httpContext, body, out var patientId);
        if (patientId is null || translation.Request is not { } request)
        {
            return translation;
        }

        if (request.UseCaseId is not { } useCaseId || clinicalTasks?.CurrentValue.FhirContext.GetValueOrDefault(useCaseId) is not { } context
            || fhirServers is null || !Uri.TryCreate(context.FhirServer, UriKind.Absolute, out var server))
        {
            return Translation.Refuse(ClinicalTaskFhirErrors.NoFhirContext(request.UseCaseId));
        }

        if (!MayFetch(httpContext, useCaseId))
        {
            // The next steps refuse this call (the app is not granted the use case, the use case is suspended or not
            // active, or it has no prompt template): nothing is fetched for it from the FHIR server with the gateway's token.
            return Translation.Of(request with { ClinicalInputs = [], ClinicalInputsParam = "patient" });
        }

        var queries = context.Queries.Select(q => q.Replace(ClinicalTaskOptionsValidator.PatientToken, Uri.EscapeDataString(patientId), StringComparison.Ordinal)).ToList();
        var token = context.TokenVariable is { Length: > 0 } variable ? Environment.GetEnvironmentVariable(variable) : null;
        var result = await FhirServerQueries.FetchEachAsync(fhirServers, server, token, queries, httpContext.RequestAborted);
        if (result.Failure is { } failure)
        {
            return Translation.Refuse(result.MissingPatient is null ? ClinicalTaskFhirErrors.Server(failure) : ClinicalTaskFhirErrors.PatientNotFound(failure.Server));
        }

        var inputs = result.Documents.OfType<string>().ToList();
        if (inputs.Any(document => CdsHooks.CdsServiceRequestReader.IsAboutAnotherPatient(document, patientId)))
        {
            // The server mixed two charts: an answer from this data would be about the wrong person.
            return Translation.Refuse(ClinicalTaskFhirErrors.AnotherPatient(server.GetLeftPart(UriPartial.Authority)));
        }

        return Translation.Of(request with
        {
            ClinicalInputs = inputs,
            ClinicalInputsParam = "patient",
            TruncatedClinicalInputs = [.. result.Truncated.Select(i => $"{ClinicalTaskOptions.SectionName}.FhirContext.Queries[{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}]")],
        });
    }

    /// <summary>
    /// Whether the calling app is granted the use case, it is active and serveable, and it names a prompt template to
    /// answer with: the checks of the steps that follow.
    /// </summary>
    private static bool MayFetch(HttpContext httpContext, string useCaseId)
    {
        var config = httpContext.Features.Get<GatewaySnapshot>() ?? throw new InvalidOperationException("The pipeline sets the call's configuration snapshot.");
        return Pipeline.Steps.AuthenticateStep.TryGetCaller(httpContext, config, out var app) && app.UseCases.Contains(useCaseId)
            && config.UseCases.TryGet(useCaseId, out var useCase) && useCase.IsServing && useCase.PromptTemplate is not null;
    }

    private Translation TranslateBody(HttpContext httpContext, ReadOnlyMemory<byte> body, out string? patientId)
    {
        patientId = null;
        var config = httpContext.Features.Get<GatewaySnapshot>() ?? throw new InvalidOperationException("The pipeline sets the call's configuration snapshot.");
        if (!ClinicalTaskRequestReader.TryRead(
            body, httpContext.Request, config.Gateway.RequestLimits.MaxJsonDepth, data.CurrentValue.MaxBundleEntries, out var task, out var error))
        {
            return Translation.Refuse(error!);
        }

        patientId = task!.PatientId;

        // The same bytes the record's input hash covers: the Provenance names the input by it.
        _inputSha256 = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        var useCaseId = httpContext.GetRouteValue("id") as string;
        _useCaseName = useCaseId is not null && config.UseCases.TryGet(useCaseId, out var useCase) ? useCase.Name : null;
        return Translation.Of(new GatewayRequest(useCaseId, CallOperation.Chat)
        {
            ClinicalInputs = [task!.BundleJson],
            ClinicalInputsParam = task.BundleParam,
            TaskParameters = task.Parameters,
            Options = new ChatOptions(MaxTokens: task.MaxTokens),
        });
    }

    public RenderedResponse RenderAnswer(CallAnswer answer)
    {
        _answer = answer;
        var chat = answer.Chat ?? throw new InvalidOperationException("A clinical task is a chat call.");
        var buffer = new ArrayBufferWriter<byte>(1024 + (chat.Content.Length * 2));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("object", ResultObject);
            writer.WriteString("use_case", answer.UseCaseId);
            writer.WriteNumber("risk_tier", answer.RiskTier);
            writer.WriteBoolean("draft", answer.Draft);
            writer.WriteString("answer", chat.Content);
            writer.WriteString("finish_reason", chat.FinishReason);
            writer.WriteString("model", chat.Model);
            writer.WriteString("deployment", answer.Deployment.Id);
            if (answer.Prompt is { } prompt)
            {
                writer.WriteStartObject("template");
                writer.WriteString("name", prompt.TemplateName);
                writer.WriteString("version", prompt.TemplateVersion);
                writer.WriteString("sha256", prompt.TemplateSha256);
                writer.WriteEndObject();
            }

            writer.WriteStartArray("warnings");
            foreach (var warning in answer.DataWarnings)
            {
                writer.WriteStartObject();
                writer.WriteString("path", warning.Path);
                writer.WriteString("code", warning.Code);
                writer.WriteString("message", warning.Message);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (chat.Usage is { } usage)
            {
                writer.WriteStartObject("usage");
                writer.WriteNumber("input_tokens", usage.InputTokens);
                writer.WriteNumber("output_tokens", usage.OutputTokens);
                writer.WriteNumber("total_tokens", usage.TotalTokens);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("usage");
            }

            writer.WriteEndObject();
        }

        return new RenderedResponse(StatusCodes.Status200OK, JsonContentType, buffer.WrittenMemory.ToArray());
    }

    /// <summary>
    /// The result as rendered, then the record's ids and the output's Provenance appended as its last members: the bytes
    /// before them are exactly those the record's output hash covers.
    /// </summary>
    public RenderedResponse Release(RenderedResponse rendered, CallReceipt receipt)
    {
        var answer = _answer ?? throw new InvalidOperationException("The answer is rendered before it is released.");
        var provenance = exporter.ToProvenanceJson(new ProvenanceFacts(
            receipt.AuditId,
            receipt.Recorded,
            answer.PatientPseudonym,
            answer.UseCaseId,
            _useCaseName,
            answer.Deployment.Id,
            string.IsNullOrWhiteSpace(answer.Chat?.Model) ? answer.Deployment.VendorModel : answer.Chat.Model,
            answer.Deployment.Version,
            answer.Deployment.Kind,
            receipt.OutputSha256,
            VerifiedBy: null,
            VerifiedAt: null,
            _inputSha256)
        {
            PromptTemplate = answer.Prompt is { } prompt ? new ProvenanceTemplate(prompt.TemplateName, prompt.TemplateVersion, prompt.TemplateSha256) : null,
            RiskTier = answer.RiskTier,
            AssembledBy = GatewayName,
        });

        var receiptMembers = new ArrayBufferWriter<byte>(provenance.Length + 256);
        using (var writer = new Utf8JsonWriter(receiptMembers, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("audit_id", receipt.AuditId);
            writer.WriteString("trace_id", receipt.TraceId);
            writer.WritePropertyName("provenance");
            writer.WriteRawValue(provenance, skipInputValidation: true);
            writer.WriteEndObject();
        }

        // {…rendered…} + {"audit_id":…} → {…rendered…,"audit_id":…}: the rendered object's closing brace gives way.
        var body = rendered.Body.Span;
        var members = receiptMembers.WrittenSpan[1..];
        var released = new byte[body.Length + members.Length];
        body[..^1].CopyTo(released);
        released[body.Length - 1] = (byte)',';
        members.CopyTo(released.AsSpan(body.Length));
        return rendered with { Body = released };
    }

    public RenderedResponse RenderHeld(HeldCall held) => Reviews.PendingReview.Render(held, JsonContentType);

    public RenderedResponse RenderError(CallError error) =>
        new(error.StatusCode, OperationOutcomes.ContentType, OperationOutcomes.Error(error));
}
