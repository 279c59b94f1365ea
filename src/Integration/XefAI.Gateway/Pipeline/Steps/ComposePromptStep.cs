using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Compose the prompt: a clinical task (a call with task parameters) gets the conversation the use case's versioned
/// prompt template writes from the clinical context and the parameters; any other call sends its own conversation.
/// Providers that pass an OpenAI body through read the body, not the messages, so a call whose protocol brought no
/// such body (a plugin's own protocol) gets one written from its conversation, as a templated call does.
/// </summary>
/// <param name="catalog">The templates of a snapshot that carries none (<see cref="Configuration.GatewaySnapshot.Prompts"/> is null).</param>
internal sealed class ComposePromptStep(Func<IPromptTemplateCatalog> catalog) : ICallStep
{
    public ComposePromptStep(IPromptTemplateCatalog catalog)
        : this(() => catalog)
    {
    }

    // For a snapshot that carries no catalog (one built by hand, in a test); taken on first use.
    private IPromptTemplateCatalog Templates => field ??= catalog();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ExecuteAsync(CallContext call)
    {
        var request = call.Request!;
        if (request.TaskParameters is not { } parameters)
        {
            call.Messages = request.Messages;
            call.VendorBody = request.Body ?? (request.Operation == CallOperation.Chat ? BodyOf(request.Messages, request.Options) : null);
            return;
        }

        var useCase = call.UseCase!;
        if (useCase.PromptTemplate is not { } template)
        {
            call.Error = CallError.InvalidRequest(
                "use_case_has_no_template", $"Use case '{useCase.Id}' has no prompt template, so it cannot be invoked as a clinical task; call it through /v1/chat/completions.");
            return;
        }

        RenderedPrompt prompt;
        try
        {
            // The call's own snapshot's templates: an edit taken while the call runs does not change its prompt, and
            // the template version the use case names was checked against exactly these.
            prompt = await (call.Config.Prompts ?? Templates).RenderAsync(template.Id, template.Version, call.Clinical, parameters, call.Aborted);
        }
        catch (PromptTemplateException ex) when (ex.Code is PromptTemplateErrors.ParameterUndeclared or PromptTemplateErrors.ParameterMissing)
        {
            call.Error = CallError.InvalidRequest(ex.Code, ex.Message, ex.ParameterName is null ? "parameters" : $"parameters.{ex.ParameterName}");
            return;
        }
        catch (PromptTemplateException ex)
        {
            // The use case names a template the catalog cannot render: a configuration fault, not the caller's.
            call.Error = CallError.Unavailable(ex.Code, $"Use case '{useCase.Id}' cannot render its prompt template {template.Id}/{template.Version}: {ex.Message}");
            return;
        }

        call.Prompt = prompt;
        call.Messages = [new ChatMessage("system", prompt.SystemMessage), new ChatMessage("user", prompt.UserMessage)];
        call.VendorBody = BodyOf(call.Messages, request.Options);
    }

    /// <summary>An OpenAI chat body of the conversation and the sampling options set.</summary>
    private static JsonObject BodyOf(IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        var body = new JsonObject
        {
            ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)Message(m))]),
        };
        if (options.MaxTokens is { } maxTokens)
        {
            body["max_tokens"] = maxTokens;
        }

        if (options.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        if (options.TopP is { } topP)
        {
            body["top_p"] = topP;
        }

        if (options.Stop is { Count: > 0 } stop)
        {
            body["stop"] = new JsonArray([.. stop.Select(s => (JsonNode?)JsonValue.Create(s))]);
        }

        return body;
    }

    private static JsonObject Message(ChatMessage message)
    {
        var json = new JsonObject { ["role"] = message.Role, ["content"] = message.Content };
        if (message.Name is { } name)
        {
            json["name"] = name;
        }

        return json;
    }
}
