using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Compose the prompt: a clinical task (a call with task parameters) gets the conversation the use case's versioned
/// prompt template writes from the clinical context and the parameters; any other call sends its own conversation.
/// </summary>
internal sealed class ComposePromptStep(IPromptTemplateCatalog templates) : ICallStep
{
    public async ValueTask ExecuteAsync(CallContext call)
    {
        var request = call.Request!;
        if (request.TaskParameters is not { } parameters)
        {
            call.Messages = request.Messages;
            call.VendorBody = request.Body;
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
            prompt = await templates.RenderAsync(template.Id, template.Version, call.Clinical, parameters, call.Aborted);
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
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = prompt.SystemMessage },
                new JsonObject { ["role"] = "user", ["content"] = prompt.UserMessage }),
        };
        if (request.Options.MaxTokens is { } maxTokens)
        {
            body["max_tokens"] = maxTokens;
        }

        if (request.Options.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        call.VendorBody = body;
    }
}
