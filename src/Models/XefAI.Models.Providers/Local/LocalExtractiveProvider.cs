using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace XefAI.Models.Providers.Local;

/// <summary>
/// Answers in process without any model: a deterministic extractive summary of the request's clinical
/// facts and text, and deterministic hashed-feature embeddings. It is a fallback and a test double that never
/// leaves the trust boundary, and every answer says plainly that it is not a language model.
/// </summary>
/// <remarks>
/// Chat and embeddings live on one class because a deployment names a provider kind, and the catalog holds one
/// provider per kind; the embedding itself is <see cref="HashingEmbedder"/>.
/// </remarks>
internal sealed class LocalExtractiveProvider : IInProcessModelProvider, IInProcessEmbeddingProvider
{
    public const string ProviderKind = "local";

    public const string ModelId = "xefai-local-extractive";

    public const string Label = "[xefai-local-extractive: deterministic extractive summary, not a language model]";

    /// <summary>The model the embeddings answer names: says what it is, since the OpenAI shape has no room for a label.</summary>
    public const string EmbeddingModelId = "xefai-local-hashing";

    /// <summary>The most dimensions the local embedder produces: what a deployment may configure, and no more from a client.</summary>
    public const int MaxEmbeddingDimensions = Registry.ModelsOptionsValidator.MaxEmbeddingDimensions;

    public const string NothingToSummarize = "Nothing to summarize: the request carried no clinical facts and no text.";

    private readonly TimeProvider _timeProvider;

    public LocalExtractiveProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    public string Kind => ProviderKind;

    public ValueTask<ModelResponse> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        // A client that asks for JSON parses the answer as JSON (the SDKs' parse helpers do): a summary in prose would
        // break it. Refused, as the Anthropic translation refuses what it cannot honour, never dropped.
        if (request.Body["response_format"] is JsonObject format && format["type"] is JsonValue type
            && type.TryGetValue<string>(out var kind) && kind is "json_object" or "json_schema")
        {
            throw new UnsupportedRequestException(
                "response_format",
                $"The local extractive provider answers in plain text, so it cannot honour 'response_format' of type '{kind}'. Leave it out, or route the use case to a model that answers JSON.");
        }

        var answer = Answer(request);
        var finishReason = "stop";
        if (request.Options.MaxTokens is { } maxTokens && TextWords.TryTruncate(answer, Math.Max(1, maxTokens), out var truncated))
        {
            answer = truncated;
            finishReason = "length";
        }

        // Word counts, not tokens: without a model there is no tokenizer, and quotas and metrics only need
        // a measure that grows with the text.
        var usage = new TokenUsage(
            request.Messages.Sum(message => TextWords.Count(message.Content)),
            TextWords.Count(answer));

        return ValueTask.FromResult(
            OpenAIChatCompletion.Create(CompletionId(request), ModelId, answer, finishReason, usage, _timeProvider.GetUtcNow()));
    }

    public ValueTask<EmbeddingResponse> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        if (request.TokenInputs is not null)
        {
            throw new UnsupportedRequestException(
                "input", "The local embedding provider reads text, not token ids: it has no tokenizer. Send 'input' as strings.");
        }

        var dimensions = request.EffectiveDimensions ?? HashingEmbedder.DefaultDimensions;
        if (dimensions > MaxEmbeddingDimensions)
        {
            throw new UnsupportedRequestException(
                "dimensions", $"The local embedding provider produces at most {MaxEmbeddingDimensions} dimensions.");
        }

        var vectors = new float[request.Inputs.Count][];
        var words = 0;
        for (var i = 0; i < vectors.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            vectors[i] = HashingEmbedder.Embed(request.Inputs[i], dimensions);
            words += TextWords.Count(request.Inputs[i]);
        }

        // Words stand in for tokens, as for chat: there is no tokenizer, and quotas only need a measure of size.
        return ValueTask.FromResult(new EmbeddingResponse(vectors, EmbeddingModelId, new TokenUsage(words, 0)));
    }

    private static string Answer(ModelRequest request)
    {
        var answer = new StringBuilder(Label).Append('\n');
        var wroteFacts = FactSummary.Append(answer, request.Context.Facts);

        // System messages instruct a language model; this is not one, so only the user's text is material.
        IEnumerable<string> texts = request.Context.FreeText.Count > 0 ? request.Context.FreeText
            : request.Context.IsEmpty ? request.Messages.Where(message => message.Role == "user").Select(message => message.Content)
            : [];

        var sentences = ExtractiveSummarizer.KeySentences(texts);
        if (sentences.Count > 0)
        {
            if (wroteFacts)
            {
                answer.Append('\n');
            }

            answer.Append("Key sentences:\n");
            foreach (var sentence in sentences)
            {
                answer.Append("- ").Append(sentence).Append('\n');
            }
        }
        else if (!wroteFacts)
        {
            answer.Append(NothingToSummarize).Append('\n');
        }

        return answer.ToString().TrimEnd('\n');
    }

    /// <summary>A hash of everything the answer depends on, so equal requests get equal completions.</summary>
    private static string CompletionId(ModelRequest request)
    {
        // Unit and record separators keep ("ab", "c") and ("a", "bc") apart.
        var input = new StringBuilder();
        foreach (var message in request.Messages)
        {
            input.Append(message.Role).Append('\u001f').Append(message.Name).Append('\u001f').Append(message.Content).Append('\u001e');
        }

        foreach (var fact in request.Context.Facts)
        {
            input.Append(fact.Category).Append('\u001f').Append(fact.Text).Append('\u001f')
                .Append(fact.Date).Append('\u001f').Append(fact.Status).Append('\u001e');
        }

        foreach (var text in request.Context.FreeText)
        {
            input.Append(text).Append('\u001e');
        }

        input.Append(request.Options.MaxTokens);

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(input.ToString()));
        return "chatcmpl-local-" + Convert.ToHexStringLower(hash, 0, 8);
    }
}
