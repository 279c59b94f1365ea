using System.Text.Json;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>The OpenAI-compatible endpoint: any OpenAI client reaches the gateway unchanged, the use case as model.</summary>
internal sealed class OpenAIIngress : IIngressProtocol
{
    public string Name => "openai";

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        var handler = endpoints.ServiceProvider.GetRequiredService<ChatCompletionHandler>();
        var keys = endpoints.ServiceProvider.GetRequiredService<ApiKeyDirectory>();
        var useCases = endpoints.ServiceProvider.GetRequiredService<IUseCaseRegistry>();

        endpoints.MapPost("/v1/chat/completions", handler.HandleAsync);
        endpoints.MapGet("/v1/models", httpContext => ListModelsAsync(httpContext, keys, useCases));
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
            writer.WriteStartObject();
            writer.WriteString("id", useCase.Id);
            writer.WriteString("object", "model");
            writer.WriteNumber("created", 0);
            writer.WriteString("owned_by", useCase.Owner);
            writer.WriteString("name", useCase.Name);
            writer.WriteNumber("risk_tier", (int)useCase.Tier);
            writer.WriteString("status", useCase.Status.ToString().ToLowerInvariant());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
