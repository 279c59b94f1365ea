using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Protect data: before anything leaves for a model, the Data layer's protector takes PHI out of the conversation
/// (or the texts to embed), keeping this call's reversible tokens. What the protector leaves unchanged is not copied.
/// </summary>
internal sealed class ProtectDataStep(IDataProtector protector) : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        var protection = protector.Begin(call.Clinical);
        call.Protection = protection;
        if (!call.Obligations.DeIdentify && !protector.DeIdentifies)
        {
            return ValueTask.CompletedTask;
        }

        if (call.Request!.Embeddings is { } embeddings)
        {
            var inputs = Protect(protection, embeddings.Inputs);
            if (!ReferenceEquals(inputs, embeddings.Inputs))
            {
                var body = (JsonObject)embeddings.Body.DeepClone();
                body["input"] = new JsonArray(inputs.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
                call.Request = call.Request with { Embeddings = embeddings with { Inputs = inputs, Body = body } };
            }

            return ValueTask.CompletedTask;
        }

        var contents = Protect(protection, call.Messages.Select(m => m.Content).ToList());
        var changed = false;
        var messages = new List<ChatMessage>(call.Messages.Count);
        for (var i = 0; i < call.Messages.Count; i++)
        {
            changed |= !ReferenceEquals(contents[i], call.Messages[i].Content);
            messages.Add(call.Messages[i] with { Content = contents[i] });
        }

        if (changed)
        {
            // The conversation is protected whether or not the adapter gave an OpenAI body to pass through.
            call.Messages = messages;
            if (call.VendorBody is { } vendorBody)
            {
                call.VendorBody = ProtectBody(protection, vendorBody);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <returns>The same list when nothing changed.</returns>
    private static IReadOnlyList<string> Protect(IDataProtection protection, IReadOnlyList<string> texts)
    {
        List<string>? changed = null;
        for (var i = 0; i < texts.Count; i++)
        {
            var text = protection.Protect(texts[i]);
            if (!ReferenceEquals(text, texts[i]))
            {
                changed ??= [.. texts];
                changed[i] = text;
            }
        }

        return changed ?? texts;
    }

    /// <summary>A copy of the OpenAI body whose message texts (plain or in text parts) are protected.</summary>
    private static JsonObject ProtectBody(IDataProtection protection, JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        if (copy["messages"] is not JsonArray messages)
        {
            return copy;
        }

        foreach (var message in messages.OfType<JsonObject>())
        {
            switch (message["content"])
            {
                case JsonValue value when value.TryGetValue<string>(out var text):
                    message["content"] = protection.Protect(text);
                    break;
                case JsonArray parts:
                    foreach (var part in parts.OfType<JsonObject>())
                    {
                        if (part["text"] is JsonValue partText && partText.TryGetValue<string>(out var content))
                        {
                            part["text"] = protection.Protect(content);
                        }
                    }

                    break;
            }
        }

        return copy;
    }
}
