using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// OpenAI embeddings, translated: the request (the use case as <c>model</c>, or in the <c>X-XefAI-Use-Case</c>
/// header; one text or a batch) into a call, the vectors into OpenAI's embedding list in the encoding the client asked
/// for, and errors into OpenAI's error shape. Any OpenAI client's <c>embeddings.create</c> reaches the gateway unchanged.
/// </summary>
/// <remarks>
/// One instance serves one call: the client's <c>encoding_format</c>, read in <see cref="Translate"/>, decides how
/// <see cref="RenderAnswer"/> writes the vectors, and the answer itself does not carry it.
/// </remarks>
internal sealed class EmbeddingsAdapter : IProtocolAdapter
{
    private EmbeddingEncoding _encoding = EmbeddingEncoding.Float;

    public string Route => AuthRoutes.Embeddings;

    public Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        var gateway = (httpContext.Features.Get<GatewaySnapshot>() ?? throw new InvalidOperationException("The pipeline sets the call's configuration snapshot.")).Gateway;
        if (!OpenAIJsonBody.TryParseObject(body, gateway.MaxJsonDepth, httpContext, out var json, out var invalid))
        {
            return Translation.Refuse(invalid!);
        }

        // Token ids are refused: the pipeline's text steps (de-identification, the verbatim audit a tier obliges) cannot
        // read them, so a call in that form would pass them unread.
        var limits = new EmbeddingRequestLimits(gateway.MaxEmbeddingInputs, AllowTokenIds: false);
        if (!OpenAIEmbeddingRequestReader.TryRead(json!, limits, out var request, out var error))
        {
            return Translation.Refuse(CallError.InvalidRequest(error.Code, error.Message, error.Param));
        }

        _encoding = request.Encoding;
        if (!ChatCompletionsAdapter.TryReadUseCaseHeader(httpContext, out var header, out var conflict))
        {
            return Translation.Refuse(conflict);
        }

        return Translation.Of(new GatewayRequest(header ?? request.Model, CallOperation.Embeddings)
        {
            UseCaseParam = "model",
            Embeddings = request,

            // The texts are embedded as they are, never read as FHIR: a note that happens to be JSON is still a text.
            ClinicalInputs = [],
            UserId = request.User,
        });
    }

    public RenderedResponse RenderAnswer(CallAnswer answer) =>
        Json(StatusCodes.Status200OK, OpenAIEmbeddingList.ToUtf8Json(answer.Embeddings!, _encoding));

    public RenderedResponse RenderHeld(HeldCall held) => Reviews.PendingReview.Render(held);

    public RenderedResponse RenderError(CallError error) => Json(error.StatusCode, error.ToUtf8Json());

    private static RenderedResponse Json(int status, byte[] body) => new(status, "application/json", body);
}
