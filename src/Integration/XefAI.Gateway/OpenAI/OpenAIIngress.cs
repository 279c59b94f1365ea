using System.Text.Json;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>The OpenAI-compatible endpoints: any OpenAI client reaches the gateway unchanged, the use case as model.</summary>
internal sealed class OpenAIIngress : IIngressProtocol
{
    public string Name => "openai";

    public void MapEndpoints(IEndpointRouteBuilder endpoints, IGovernedPipeline pipeline)
    {
        var keys = endpoints.ServiceProvider.GetRequiredService<ApiKeyDirectory>();
        var useCases = endpoints.ServiceProvider.GetRequiredService<IUseCaseRegistry>();

        endpoints.MapPost("/v1/chat/completions", httpContext => pipeline.RunAsync(httpContext, ChatCompletionsAdapter.Instance));

        // An adapter per call: it keeps the client's encoding_format from the request for the answer.
        endpoints.MapPost("/v1/embeddings", httpContext => pipeline.RunAsync(httpContext, new EmbeddingsAdapter()));

        // The Responses API, as a chat call: an adapter per call keeps the response's id and its stream's events.
        var time = endpoints.ServiceProvider.GetRequiredService<TimeProvider>();
        endpoints.MapPost("/v1/responses", httpContext => pipeline.RunAsync(httpContext, new Responses.ResponsesAdapter(time)));

        endpoints.MapGet("/v1/models", httpContext => ListModelsAsync(httpContext, keys, useCases));
        endpoints.MapGet("/v1/models/{id}", (HttpContext httpContext, string id) => GetModelAsync(httpContext, id, keys, useCases));
    }

    /// <summary>One use case the calling app may use, in OpenAI's model shape; any other id is 404, as OpenAI answers.</summary>
    private static async Task GetModelAsync(HttpContext httpContext, string id, ApiKeyDirectory keys, IUseCaseRegistry useCases)
    {
        if (!keys.TryAuthenticateClient(httpContext.Request.Headers.Authorization, out var app))
        {
            await httpContext.RefuseClient(AuthRoutes.Models).WriteAsync(httpContext.Response);
            return;
        }

        // An id the app may not call is answered like one that does not exist: the list of use cases is not disclosed.
        if (!app.UseCases.Contains(id) || !useCases.TryGet(id, out var useCase))
        {
            await CallError.NotFound(
                "model_not_found", "The model does not exist or your app may not call it; GET /v1/models lists the ones it may.", "model")
                .WriteAsync(httpContext.Response);
            return;
        }

        httpContext.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body);
        WriteModel(writer, useCase);
    }

    /// <summary>The use cases the calling app may use, in OpenAI's model-list shape.</summary>
    private static async Task ListModelsAsync(HttpContext httpContext, ApiKeyDirectory keys, IUseCaseRegistry useCases)
    {
        if (!keys.TryAuthenticateClient(httpContext.Request.Headers.Authorization, out var app))
        {
            await httpContext.RefuseClient(AuthRoutes.Models).WriteAsync(httpContext.Response);
            return;
        }

        httpContext.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        foreach (var useCase in useCases.All.Where(u => app.UseCases.Contains(u.Id)).OrderBy(u => u.Id, StringComparer.Ordinal))
        {
            WriteModel(writer, useCase);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteModel(Utf8JsonWriter writer, UseCase useCase)
    {
        writer.WriteStartObject();
        writer.WriteString("id", useCase.Id);
        writer.WriteString("object", "model");
        writer.WriteNumber("created", 0);
        writer.WriteString("owned_by", useCase.Owner);
        writer.WriteString("name", useCase.Name);
        writer.WriteNumber("risk_tier", (int)useCase.Tier);
        writer.WriteString("status", useCase.Status.ToString().ToLowerInvariant());

        // Active is the recorded status; serving also needs a tier-4 activation that holds for the configuration in force.
        writer.WriteBoolean("serving", useCase.IsServing);
        writer.WriteEndObject();
    }
}
