using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Data;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Protect data: once the deployments that may serve the call are known, what leaves for them is de-identified
/// wherever governance obliges it: when any of them does not cover PHI (no BAA, not in process) and the use case has
/// not opted out. The Data layer's protector takes PHI out of the conversation (or the texts to embed), keeping this
/// call's reversible tokens; what it leaves unchanged is not copied. Text it cannot de-identify ends the call with 422
/// <c>deidentification_failed</c>, and nothing reaches a vendor.
/// </summary>
internal sealed partial class ProtectDataStep(IDataProtector protector, ILogger<ProtectDataStep>? logger = null, IPatientPseudonymizer? pseudonymizer = null) : ICallStep
{
    // Request fields that name a person or derive from one, which a vendor gets only as a keyed pseudonym: OpenAI's
    // end-user id and its successor, and a cache key an app may build from either.
    private static readonly string[] IdentifyingFields = ["user", "safety_identifier", "prompt_cache_key"];

    // The embeddings request's fields that the gateway reads or protects.
    private static readonly IReadOnlySet<string> EmbeddingsFields = new HashSet<string>(
        ["model", "input", "encoding_format", "dimensions", "user", "safety_identifier", "prompt_cache_key", "metadata"], StringComparer.Ordinal);

    // Inside the chat body's objects, the members the gateway protects, pseudonymizes or keeps as the JSON's shape. Any
    // other member holding text (a vendor's extension, a field OpenAI added since, a note an app tucked in) is refused, as
    // an unknown top-level field is: the gateway cannot tell whether it names the patient.
    private static readonly FrozenSet<string> MessageFields = FrozenSet.Create(StringComparer.Ordinal, "role", "content", "name", "tool_calls", "tool_call_id", "refusal", "function_call");
    private static readonly FrozenSet<string> TextPartFields = FrozenSet.Create(StringComparer.Ordinal, "type", "text", "refusal");
    private static readonly FrozenSet<string> FunctionNameFields = FrozenSet.Create(StringComparer.Ordinal, "name");
    private static readonly FrozenSet<string> ToolCallFields = FrozenSet.Create(StringComparer.Ordinal, "id", "type", "function");
    private static readonly FrozenSet<string> FunctionCallFields = FrozenSet.Create(StringComparer.Ordinal, "name", "arguments");
    private static readonly FrozenSet<string> ToolFields = FrozenSet.Create(StringComparer.Ordinal, "type", "function");
    private static readonly FrozenSet<string> FunctionFields = FrozenSet.Create(StringComparer.Ordinal, "name", "description", "parameters", "strict");
    private static readonly FrozenSet<string> ResponseFormatFields = FrozenSet.Create(StringComparer.Ordinal, "type", "json_schema");
    private static readonly FrozenSet<string> JsonSchemaFields = FrozenSet.Create(StringComparer.Ordinal, "name", "description", "schema", "strict");
    private static readonly FrozenSet<string> StreamOptionsFields = FrozenSet.Create(StringComparer.Ordinal, "include_usage", "include_obfuscation");
    private static readonly FrozenSet<string> PredictionFields = FrozenSet.Create(StringComparer.Ordinal, "type", "content");

    // A tool choice names a tool ({"type": "function", "function": {"name": …}}, or the allowed tools' list and mode);
    // nothing in it is text the model reads, so nothing else may hold text.
    private static readonly FrozenSet<string> ToolChoiceFields = FrozenSet.Create(StringComparer.Ordinal, "type", "function", "custom", "name", "allowed_tools", "mode", "tools");

    // Fields whose value is one of the vendor's words ("auto", "flex", "low"). They are sent as they are, so a value that
    // is not a word (a sentence, a name) is refused rather than sent.
    private static readonly string[] WordFields = ["service_tier", "reasoning_effort", "verbosity"];

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public ValueTask ExecuteAsync(CallContext call)
    {
        if (call.UseCase!.DeIdentificationOptOut is not null)
        {
            // Every record of an opted-out use case says so, whichever deployments served it.
            call.DeIdentification = DeIdentificationOutcomes.OptedOut;
            return ValueTask.CompletedTask;
        }

        if (!call.DeIdentificationObliged)
        {
            call.DeIdentification = DeIdentificationOutcomes.NotRequired;
            return ValueTask.CompletedTask;
        }

        // Per app: what the protector remembers across calls must not let one app time another's texts.
        var protection = call.App is { } app ? protector.Begin(call.Clinical, app.Id) : protector.Begin(call.Clinical);
        IReadOnlyList<KeyValuePair<string, int>> redactions;
        try
        {
            redactions = Protect(call, protection);
        }
        catch (DeIdentificationException ex)
        {
            // The message says why in general terms and never quotes the text; none of the call may leave.
            call.Error = new CallError(
                StatusCodes.Status422UnprocessableEntity,
                "deidentification_failed",
                $"The request could not be de-identified before it would reach a vendor without a BAA, so nothing was sent: {ex.Message}");
            return ValueTask.CompletedTask;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            // A fault in the de-identifier fails closed like a refusal: nothing leaves. Running out of memory is not the
            // text's fault (a 422 the SDKs never retry): it goes on to the pipeline, which answers 503. Its message may quote the text,
            // so only its type is logged, and the caller is told in general terms.
            LogProtectorFault(_logger, ex.GetType().FullName ?? ex.GetType().Name, protector.Name, call.TraceId);
            call.Error = new CallError(
                StatusCodes.Status422UnprocessableEntity,
                "deidentification_failed",
                "The request could not be de-identified before it would reach a vendor without a BAA, so nothing was sent: the de-identifier could not process this text.");
            return ValueTask.CompletedTask;
        }

        call.Protection = protection;
        call.DeIdentification = DeIdentificationOutcomes.Applied;
        call.Redactions = redactions;
        return ValueTask.CompletedTask;
    }

    /// <returns>The values replaced by kind, counted once over the conversation (or the texts to embed).</returns>
    private IReadOnlyList<KeyValuePair<string, int>> Protect(CallContext call, IDataProtection protection)
    {
        if (call.Request!.Embeddings is { } embeddings)
        {
            RefuseUnknownText(embeddings.Body, EmbeddingsFields);
            var inputs = Protect(protection, embeddings.Inputs);
            if (!ReferenceEquals(inputs, embeddings.Inputs) || IdentifyingFields.Any(embeddings.Body.ContainsKey) || embeddings.Body.ContainsKey("metadata"))
            {
                var body = (JsonObject)embeddings.Body.DeepClone();
                body["input"] = new JsonArray(inputs.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
                ProtectFieldsBesideTheConversation(protection, body);
                call.Request = call.Request with { Embeddings = embeddings with { Inputs = inputs, Body = body } };
            }

            return AuditRedactions.Normalize(protection.ReplacementsByKind);
        }

        if (call.VendorBody is { } original)
        {
            RefuseWhatCannotBeDeIdentified(original);
            RefuseUnknownText(original, ChatFieldRules.KnownFields);
            RefuseUnknownNestedText(original);
            RefuseTextInWordFields(original);
        }

        var texts = new string[call.Messages.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = call.Messages[i].Content;
        }

        // Every message read first: a name the last one signs is then found in the first one too.
        protection.ReadAhead(texts);

        // The same list back means no text changed: the messages are then kept as they are, not copied.
        var contents = Protect(protection, texts);

        // The model's earlier tool calls, which the client sends back with their values restored, hold them again; the
        // fields beside the conversation may name the patient too.
        if (call.VendorBody is { } withToolCalls)
        {
            ProtectFieldsBesideTheConversation(protection, withToolCalls);

            // After the conversation was read: a name it reveals is found in a tool's name too.
            RefuseIdentifyingNames(protection, withToolCalls);
        }

        if (call.Request.Options.User is { Length: > 0 } user)
        {
            // Providers that write the end user themselves (Anthropic's metadata.user_id) read it from the options.
            call.Request = call.Request with { Options = call.Request.Options with { User = Pseudonym(user) } };
        }

        if (call.Request.Options.Stop is { Count: > 0 } stop && Protect(protection, stop) is var protectedStop && !ReferenceEquals(protectedStop, stop))
        {
            // Anthropic's stop_sequences are written from the options; the same tokens as in the body.
            call.Request = call.Request with { Options = call.Request.Options with { Stop = protectedStop } };
        }

        // Counted before the body: it holds the same texts again, and its values are not replaced twice.
        var redactions = AuditRedactions.Normalize(protection.ReplacementsByKind);
        if (!ReferenceEquals(contents, texts))
        {
            var messages = new List<ChatMessage>(call.Messages.Count);
            for (var i = 0; i < call.Messages.Count; i++)
            {
                messages.Add(call.Messages[i] with { Content = contents[i] });
            }

            // The conversation is protected whether or not the adapter gave an OpenAI body to pass through.
            call.Messages = messages;
            if (call.VendorBody is { } vendorBody)
            {
                call.VendorBody = ProtectBody(protection, vendorBody, texts, contents);
            }
        }

        return redactions;
    }

    /// <summary>
    /// Images, audio and files cannot be de-identified (a face or a voice identifies a person, and a scan carries its
    /// label), so a call that must be de-identified and holds one is refused rather than sent with the part or without it.
    /// </summary>
    private static void RefuseWhatCannotBeDeIdentified(JsonObject body)
    {
        if (body["messages"] is not JsonArray messages)
        {
            return;
        }

        // Index loops, not LINQ: this runs on every de-identified call, and most messages are plain text.
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message || message["content"] is not JsonArray parts)
            {
                continue;
            }

            for (var j = 0; j < parts.Count; j++)
            {
                if (parts[j] is not JsonObject part)
                {
                    continue;
                }

                // A refusal part is the model's text, de-identified as text parts are.
                var type = part["type"] is JsonValue t && t.TryGetValue<string>(out var value) ? value : null;
                if (type is not (null or "text" or "refusal"))
                {
                    throw new DeIdentificationException(
                        $"The '{(type.Length <= 32 && type.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? type : "non-text")}' content part cannot be de-identified "
                        + "(a face, a voice or a scanned label identifies a person); send it to a use case whose deployments cover PHI, or send text only.");
                }
            }
        }
    }

    /// <summary>
    /// A field the gateway does not know whose value holds text (a vendor's own extension, or a field OpenAI added since)
    /// may name the patient, and the gateway cannot tell where: the call is refused rather than sent with it. Fields of
    /// numbers and booleans (a server's <c>top_k</c>, <c>min_p</c>) pass.
    /// </summary>
    private static void RefuseUnknownText(JsonObject body, IReadOnlySet<string> known)
    {
        // By index: a JsonObject's enumerator is an allocated interface, and this runs on every de-identified call.
        for (var i = 0; i < body.Count; i++)
        {
            var (name, value) = body.GetAt(i);
            if (!known.Contains(name) && CarriesText(name, value))
            {
                throw new DeIdentificationException(
                    $"The request field '{SafeName(name)}' is not one this gateway knows, "
                    + "and its text could name the patient; send it to a use case whose deployments cover PHI, or leave it out.");
            }
        }
    }

    /// <summary>
    /// The objects inside a chat body, checked as <see cref="RefuseUnknownText(JsonObject, IReadOnlySet{string})"/> checks
    /// the top level; and tools other than functions, whose texts (a custom tool's description and grammar, the model's
    /// free-form input to it) the gateway neither protects nor restores.
    /// </summary>
    /// <remarks>
    /// Runs on every de-identified call: a path is written only for the field that is refused, never for those that pass.
    /// Members of the wrong shape (a string where an object belongs) are the validator's to refuse, and skipped here.
    /// </remarks>
    private static void RefuseUnknownNestedText(JsonObject body)
    {
        if (body["messages"] is JsonArray messages)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages[i] is not JsonObject message)
                {
                    continue;
                }

                if (UnknownText(message, MessageFields) is { } field)
                {
                    throw UnknownField($"messages[{i}]", field);
                }

                if (UnknownTextInEach(message["content"], TextPartFields, out var part) is { } partField)
                {
                    throw UnknownField($"messages[{i}].content[{part}]", partField);
                }

                if (message["tool_calls"] is JsonArray calls)
                {
                    for (var j = 0; j < calls.Count; j++)
                    {
                        if (calls[j] is JsonObject toolCall && toolCall["type"] is JsonValue callType && callType.TryGetValue<string>(out var callKind) && callKind != "function")
                        {
                            throw new DeIdentificationException(
                                $"The '{SafeName(callKind)}' tool call in 'messages[{i}].tool_calls[{j}]' cannot be de-identified (only function tool calls' arguments are); "
                                + "send it to a use case whose deployments cover PHI, or leave it out.");
                        }
                    }

                    if (UnknownTextInEach(calls, ToolCallFields, out var call) is { } callField)
                    {
                        throw UnknownField($"messages[{i}].tool_calls[{call}]", callField);
                    }

                    for (var j = 0; j < calls.Count; j++)
                    {
                        if (UnknownText(Member(calls[j], "function"), FunctionCallFields) is { } functionField)
                        {
                            throw UnknownField($"messages[{i}].tool_calls[{j}].function", functionField);
                        }
                    }
                }

                if (UnknownText(message["function_call"], FunctionCallFields) is { } legacyField)
                {
                    throw UnknownField($"messages[{i}].function_call", legacyField);
                }
            }
        }

        if (body["tools"] is JsonArray tools)
        {
            for (var i = 0; i < tools.Count; i++)
            {
                if (tools[i] is JsonObject tool && tool["type"] is JsonValue type && type.TryGetValue<string>(out var kind) && kind != "function")
                {
                    throw new DeIdentificationException(
                        $"The '{SafeName(kind)}' tool in 'tools[{i}]' cannot be de-identified (only function tools' descriptions, schemas and arguments are); "
                        + "use a function tool, or send it to a use case whose deployments cover PHI.");
                }

                if (UnknownText(tools[i], ToolFields) is { } toolField)
                {
                    throw UnknownField($"tools[{i}]", toolField);
                }

                if (UnknownText(Member(tools[i], "function"), FunctionFields) is { } functionField)
                {
                    throw UnknownField($"tools[{i}].function", functionField);
                }
            }
        }

        if (UnknownTextInEach(body["functions"], FunctionFields, out var at) is { } legacyFunctionField)
        {
            throw UnknownField($"functions[{at}]", legacyFunctionField);
        }

        RefuseUnknownText(body["response_format"], ResponseFormatFields, "response_format");
        RefuseUnknownText(Member(body["response_format"], "json_schema"), JsonSchemaFields, "response_format.json_schema");
        RefuseUnknownText(body["stream_options"], StreamOptionsFields, "stream_options");
        RefuseUnknownTextWithin(body["tool_choice"], ToolChoiceFields, "tool_choice", 0);
        RefuseUnknownText(body["function_call"], FunctionNameFields, "function_call");
        RefuseUnknownText(body["prediction"], PredictionFields, "prediction");
        if (UnknownTextInEach(Member(body["prediction"], "content"), TextPartFields, out var predicted) is { } predictedField)
        {
            throw UnknownField($"prediction.content[{predicted}]", predictedField);
        }
    }

    /// <summary>
    /// The fields the gateway sends as they are because their values are the vendor's words or token ids, not text: a
    /// value that is not a word (<c>"service_tier": "for Maria Gonzalez"</c>), or a <c>logit_bias</c> key that is not a
    /// token id, would reach the vendor unread, so the call is refused.
    /// </summary>
    private static void RefuseTextInWordFields(JsonObject body)
    {
        foreach (var name in WordFields)
        {
            if (!IsWordOrAbsent(body[name]))
            {
                throw NotAWord(name);
            }
        }

        if (body["modalities"] is JsonArray modalities)
        {
            for (var i = 0; i < modalities.Count; i++)
            {
                if (!IsWordOrAbsent(modalities[i]))
                {
                    throw NotAWord($"modalities[{i}]");
                }
            }
        }

        if (!IsWordOrAbsent(Member(body["prediction"], "type")))
        {
            throw NotAWord("prediction.type");
        }

        if (!IsWordOrAbsent(Member(body["tool_choice"], "type")))
        {
            throw NotAWord("tool_choice.type");
        }

        if (!IsWordOrAbsent(Member(Member(body["tool_choice"], "allowed_tools"), "mode")))
        {
            throw NotAWord("tool_choice.allowed_tools.mode");
        }

        if (body["logit_bias"] is JsonObject bias)
        {
            for (var i = 0; i < bias.Count; i++)
            {
                if (!IsTokenId(bias.GetAt(i).Key))
                {
                    throw new DeIdentificationException(
                        "A key of 'logit_bias' is not a token id, and it would reach the vendor as it is; send token ids only, "
                        + "or send it to a use case whose deployments cover PHI.");
                }
            }
        }
    }

    /// <summary>Absent, null, a number or a boolean, or a word; not text, and not a list or an object that could hold text.</summary>
    private static bool IsWordOrAbsent(JsonNode? node) => node switch
    {
        null => true,
        JsonValue value => !value.TryGetValue<string>(out var word) || IsFieldName(word),
        _ => false,
    };

    private static bool IsTokenId(string key) => key.Length is > 0 and <= 10 && key.All(char.IsAsciiDigit);

    private static DeIdentificationException NotAWord(string path) => new(
        $"The field '{path}' holds text rather than one of the vendor's words, and it would reach the vendor as it is; "
        + "send the documented value, or send it to a use case whose deployments cover PHI.");

    private static JsonNode? Member(JsonNode? node, string name) => node is JsonObject obj ? obj[name] : null;

    private static void RefuseUnknownText(JsonNode? node, FrozenSet<string> known, string path)
    {
        if (UnknownText(node, known) is { } field)
        {
            throw UnknownField(path, field);
        }
    }

    /// <summary>
    /// <see cref="RefuseUnknownText(JsonNode?, FrozenSet{string}, string)"/> at every depth of <paramref name="node"/>, whose
    /// objects all take their members from <paramref name="known"/>.
    /// </summary>
    private static void RefuseUnknownTextWithin(JsonNode? node, FrozenSet<string> known, string path, int depth)
    {
        if (depth > 16)
        {
            throw new DeIdentificationException($"The field '{path}' nests too deeply to be read; send it to a use case whose deployments cover PHI.");
        }

        if (node is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++)
            {
                RefuseUnknownTextWithin(items[i], known, $"{path}[{i}]", depth + 1);
            }
        }
        else if (node is JsonObject obj)
        {
            RefuseUnknownText(obj, known, path);
            for (var i = 0; i < obj.Count; i++)
            {
                var (name, value) = obj.GetAt(i);
                RefuseUnknownTextWithin(value, known, $"{path}.{SafeName(name)}", depth + 1);
            }
        }
    }

    /// <summary>The first member of an object in <paramref name="node"/> (an array) that holds text and is not known, and the object's index.</summary>
    private static string? UnknownTextInEach(JsonNode? node, FrozenSet<string> known, out int index)
    {
        if (node is JsonArray items)
        {
            for (index = 0; index < items.Count; index++)
            {
                if (UnknownText(items[index], known) is { } field)
                {
                    return field;
                }
            }
        }

        index = -1;
        return null;
    }

    /// <summary>The first member of <paramref name="node"/>, when an object, that holds text and is not known.</summary>
    private static string? UnknownText(JsonNode? node, FrozenSet<string> known)
    {
        if (node is JsonObject obj)
        {
            for (var i = 0; i < obj.Count; i++)
            {
                var (name, value) = obj.GetAt(i);
                if (!known.Contains(name) && CarriesText(name, value))
                {
                    return name;
                }
            }
        }

        return null;
    }

    private static DeIdentificationException UnknownField(string path, string field) => new(
        $"The field '{path}.{SafeName(field)}' is not one this gateway knows, "
        + "and its text could name the patient; send it to a use case whose deployments cover PHI, or leave it out.");

    /// <summary>A name the caller wrote, quoted in an error only when it is plainly a field's name (<see cref="IsFieldName"/>).</summary>
    private static string SafeName(string name) => IsFieldName(name) ? name : "(unnamed)";

    /// <summary>
    /// Whether a member the gateway does not know may carry text to the vendor: its value holds text, or its own name is
    /// not a field's name (<c>{"Maria Gonzalez": 1}</c> names her with a number for a value).
    /// </summary>
    private static bool CarriesText(string name, JsonNode? value) => !IsFieldName(name) || HoldsText(value, 0);

    /// <summary>
    /// A member name that is plainly a field's: lower-case letters, digits, '_', '-' and '.', as the OpenAI-compatible
    /// servers' own fields are written (<c>top_k</c>, <c>min_p</c>, <c>repetition_penalty</c>), starting with a letter or
    /// '_' and with fewer than five digits: <c>987-65-4321</c>, <c>ssn_987-65-4321</c> or <c>mrn-4471923</c> holds a value.
    /// </summary>
    private static bool IsFieldName(string name)
    {
        if (name.Length is 0 or > 64 || name[0] is not ((>= 'a' and <= 'z') or '_'))
        {
            return false;
        }

        var digits = 0;
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.'))
            {
                return false;
            }

            digits += c is >= '0' and <= '9' ? 1 : 0;
            if (digits >= 5)
            {
                return false;
            }
        }

        return true;
    }

    private static bool HoldsText(JsonNode? node, int depth) => node switch
    {
        JsonValue value => value.GetValueKind() == JsonValueKind.String,
        JsonArray array => depth < 64 && AnyHoldsText(array, depth + 1),
        JsonObject obj => depth < 64 && AnyHoldsText(obj, depth + 1),
        _ => false,
    };

    private static bool AnyHoldsText(JsonArray array, int depth)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (HoldsText(array[i], depth))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyHoldsText(JsonObject obj, int depth)
    {
        for (var i = 0; i < obj.Count; i++)
        {
            var (name, value) = obj.GetAt(i);
            if (!IsFieldName(name) || HoldsText(value, depth))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// What a body holds beside the conversation that may identify someone: the end-user fields and each message's
    /// participant <c>name</c> become keyed pseudonyms (stable, so a vendor's abuse monitoring and caching still see
    /// one user as one, and valid where OpenAI restricts the characters of a name); <c>metadata</c> values are
    /// protected as text, and so are the ids and arguments of the tool calls in assistant messages and the
    /// <c>tool_call_id</c> of tool messages.
    /// </summary>
    private void ProtectFieldsBesideTheConversation(IDataProtection protection, JsonObject body)
    {
        foreach (var name in IdentifyingFields)
        {
            if (body[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
            {
                body[name] = Pseudonym(text);
            }
        }

        // Predicted output: text the answer is expected to repeat, often the note being edited.
        if (body["prediction"] is JsonObject prediction)
        {
            if (prediction["content"] is JsonValue)
            {
                ProtectText(protection, prediction, "content");
            }
            else
            {
                // Text parts, or whatever else a vendor may take: every string in them, and no member named with a value.
                JsonSchemaTexts.ProtectEveryString(protection, prediction["content"]);
                if (JsonSchemaTexts.KeepsAnIdentifier(protection, prediction["content"]))
                {
                    throw KeptIdentifier("prediction.content");
                }
            }
        }

        // Stop sequences, tool and function descriptions and the schemas the answer or a tool's arguments must follow: text
        // the model is shown, which an app may write from the patient's record ("the labs of Maria Gonzalez"). Protected
        // with the conversation's tokens, so a stop sequence still matches what the model writes in their place.
        ProtectStop(protection, body);
        ProtectTools(protection, body["tools"], nested: true);
        ProtectTools(protection, body["functions"], nested: false);
        if (body["response_format"] is JsonObject format && format["json_schema"] is JsonObject jsonSchema)
        {
            ProtectDescription(protection, jsonSchema, "response_format.json_schema");
            JsonSchemaTexts.Protect(protection, jsonSchema["schema"]);
        }

        if (body["metadata"] is JsonObject metadata)
        {
            // Keys are the app's free text too (up to 64 characters): {"Maria Gonzalez": "follow-up"} names her.
            var entries = metadata.ToList();
            var keysChanged = false;
            var protectedEntries = new List<KeyValuePair<string, JsonNode?>>(entries.Count);
            foreach (var (key, node) in entries)
            {
                var protectedKey = protection.Protect(key);
                keysChanged |= !ReferenceEquals(protectedKey, key);
                var value = node is JsonValue v && v.TryGetValue<string>(out var text) && protection.Protect(text) is var result && !ReferenceEquals(result, text)
                    ? JsonValue.Create(result)
                    : node;
                protectedEntries.Add(new(protectedKey, value));
                if (!keysChanged && !ReferenceEquals(value, node))
                {
                    metadata[key] = value;
                }
            }

            if (keysChanged)
            {
                metadata.Clear();
                foreach (var (key, node) in protectedEntries)
                {
                    // Two keys that protect to the same text keep the first value; metadata is a label, not the conversation.
                    metadata.TryAdd(key, node?.Parent is null ? node : node.DeepClone());
                }
            }
        }

        if (body["messages"] is not JsonArray messages)
        {
            return;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message)
            {
                continue;
            }

            if (message["name"] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
            {
                message["name"] = Pseudonym(text);
            }

            // A tool call's id and the tool_call_id of its result are the app's to write, and an app may write a name or
            // an MRN there. Protected with the conversation's tokens: the same value gets the same token, so a call and
            // its result still pair; an id the protector finds nothing in (call_abc123) goes as it is, and so does an
            // id of the shape a vendor issues, whose random letters and digits a de-identifier would take for an id.
            ProtectToolCallId(protection, message, "tool_call_id");
            if (message["tool_calls"] is JsonArray toolCalls)
            {
                for (var j = 0; j < toolCalls.Count; j++)
                {
                    if (toolCalls[j] is JsonObject toolCall)
                    {
                        ProtectToolCallId(protection, toolCall, "id");
                    }
                }
            }

            // The arguments of the model's earlier tool calls: JSON it wrote from the conversation, which the caller got
            // back with the values restored.
            ToolCallArguments.ForEachFunction(message, protection, static (function, protection) =>
            {
                if (ToolCallArguments.Of(function) is { } arguments
                    && ToolCallArguments.Protect(protection, arguments) is var result && !ReferenceEquals(result, arguments))
                {
                    function["arguments"] = result;
                }
            });
        }
    }

    /// <summary>
    /// What the vendor must get as the app wrote it, since the answer refers to it or must match it: tool and function
    /// names (in the tools, the tool choice and the tool calls sent back), the answer's schema name, and the names and shape
    /// keywords of their JSON schemas. A value the de-identifier finds there (<c>get_labs_987-65-4321</c>, a property named
    /// after the patient) cannot be replaced without breaking what refers to it, so the call is refused rather than sent.
    /// </summary>
    private static void RefuseIdentifyingNames(IDataProtection protection, JsonObject body)
    {
        if (body["tools"] is JsonArray tools)
        {
            for (var i = 0; i < tools.Count; i++)
            {
                RefuseIdentifyingFunction(protection, Member(tools[i], "function"), $"tools[{i}].function");
            }
        }

        if (body["functions"] is JsonArray functions)
        {
            for (var i = 0; i < functions.Count; i++)
            {
                RefuseIdentifyingFunction(protection, functions[i], $"functions[{i}]");
            }
        }

        RefuseIdentifyingNamesWithin(protection, body["tool_choice"], "tool_choice", 0);
        if (body["function_call"] is JsonValue legacyChoice)
        {
            RefuseIdentifying(protection, legacyChoice, "function_call");
        }
        else
        {
            RefuseIdentifying(protection, Member(body["function_call"], "name"), "function_call.name");
        }

        if (Member(body["response_format"], "json_schema") is JsonObject jsonSchema)
        {
            RefuseIdentifyingFunction(protection, jsonSchema, "response_format.json_schema", schemaMember: "schema");
        }

        if (body["messages"] is not JsonArray messages)
        {
            return;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (Member(messages[i], "tool_calls") is JsonArray calls)
            {
                for (var j = 0; j < calls.Count; j++)
                {
                    RefuseIdentifying(protection, Member(Member(calls[j], "function"), "name"), $"messages[{i}].tool_calls[{j}].function.name");
                }
            }

            // A legacy function call sent back: an object of a name and its arguments' JSON text, which is protected.
            var functionCall = Member(messages[i], "function_call");
            if (functionCall is null)
            {
                // Nothing to check, so no path to name it by.
                continue;
            }

            if (functionCall is not JsonObject || Member(functionCall, "arguments") is not (null or JsonValue))
            {
                throw KeptIdentifier($"messages[{i}].function_call");
            }

            RefuseIdentifying(protection, Member(functionCall, "name"), $"messages[{i}].function_call.name");
        }
    }

    private static void RefuseIdentifyingFunction(IDataProtection protection, JsonNode? function, string path, string schemaMember = "parameters")
    {
        RefuseIdentifying(protection, Member(function, "name"), path + ".name");
        if (!IsWordOrAbsent(Member(function, "strict")))
        {
            throw NotAWord(path + ".strict");
        }

        if (JsonSchemaTexts.KeepsAnIdentifier(protection, Member(function, schemaMember)))
        {
            throw KeptIdentifier($"{path}.{schemaMember}");
        }
    }

    /// <summary>Every <c>name</c> in a tool choice: the function's, or each of the allowed tools'.</summary>
    private static void RefuseIdentifyingNamesWithin(IDataProtection protection, JsonNode? node, string path, int depth)
    {
        if (depth > 16)
        {
            return;
        }

        if (node is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++)
            {
                RefuseIdentifyingNamesWithin(protection, items[i], $"{path}[{i}]", depth + 1);
            }
        }
        else if (node is JsonObject obj)
        {
            for (var i = 0; i < obj.Count; i++)
            {
                var (name, value) = obj.GetAt(i);
                if (name == "name")
                {
                    RefuseIdentifying(protection, value, path + ".name");
                }
                else
                {
                    RefuseIdentifyingNamesWithin(protection, value, $"{path}.{SafeName(name)}", depth + 1);
                }
            }
        }
    }

    /// <summary>A name: absent, or a string the de-identifier finds nothing in. A list or an object where a name goes is refused too.</summary>
    private static void RefuseIdentifying(IDataProtection protection, JsonNode? node, string path)
    {
        if (node is JsonArray or JsonObject
            || (node is JsonValue value && value.TryGetValue<string>(out var text) && JsonSchemaTexts.Replaces(protection, text)))
        {
            throw KeptIdentifier(path);
        }
    }

    private static DeIdentificationException KeptIdentifier(string path) => new(
        $"The field '{path}' reaches the vendor as written (the answer refers to it), and it holds a value the de-identifier "
        + "would replace, or something other than a name; rename it, or send it to a use case whose deployments cover PHI.");

    private static void ProtectToolCallId(IDataProtection protection, JsonObject holder, string member)
    {
        if (holder[member] is JsonValue value && value.TryGetValue<string>(out var id) && !IsVendorIssuedId(id))
        {
            ProtectText(protection, holder, member);
        }
    }

    /// <summary>
    /// Whether a tool call id has the shape a vendor gives the calls it answers with: OpenAI's <c>call_</c> and 24
    /// random letters and digits (chat and the Responses API's <c>call_id</c>), Anthropic's <c>toolu_</c> and 20 to 30.
    /// Such an id is the vendor's own, sent back: it holds nothing of the patient, and a de-identifier would replace its
    /// random part as an identifier. One that holds a run of five digits or more (an MRN, a date, a phone number an app
    /// wrote into an id of that shape) is protected all the same.
    /// </summary>
    internal static bool IsVendorIssuedId(string id)
    {
        var openAI = id.StartsWith("call_", StringComparison.Ordinal);
        var random = openAI ? id.AsSpan(5) : id.StartsWith("toolu_", StringComparison.Ordinal) ? id.AsSpan(6) : [];
        if (openAI ? random.Length != 24 : random.Length is < 20 or > 30)
        {
            return false;
        }

        var digits = 0;
        foreach (var c in random)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }

            digits = char.IsAsciiDigit(c) ? digits + 1 : 0;
            if (digits >= 5)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A keyed pseudonym of a value (the data layer's patient pseudonymizer, over a domain of its own so that it never
    /// equals a patient's pseudonym in the audit trail); without a pseudonymizer, a fixed placeholder.
    /// </summary>
    private string Pseudonym(string value)
    {
        if (pseudonymizer is null)
        {
            return "pseudonymized";
        }

        // 64 bits of the keyed hash, in the characters OpenAI allows in a participant's name.
        var keyed = pseudonymizer.Pseudonymize("vendor-field:" + value);
        var tail = keyed.Length > 16 ? keyed[^16..] : keyed;
        return "pn-" + string.Create(tail.Length, tail, static (chars, tail) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = char.IsAsciiLetterOrDigit(tail[i]) ? tail[i] : '_';
            }
        });
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

    /// <summary>
    /// The OpenAI body with its message texts (plain, in text or refusal parts, or an assistant's refusal) protected, in
    /// place: nothing reads the client's parsed body after this step (the audit keeps the bytes as received,
    /// <see cref="CallContext.Body"/>), so the body is not copied on every de-identified call. The texts were protected
    /// just before: a plain content that is still the text the conversation was read from takes that text's protected
    /// form without being read again; anything else (parts, refusals) is a look-up in the protection.
    /// </summary>
    private static JsonObject ProtectBody(IDataProtection protection, JsonObject body, string[] texts, IReadOnlyList<string> contents)
    {
        if (body["messages"] is not JsonArray messages)
        {
            return body;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message)
            {
                continue;
            }

            switch (message["content"])
            {
                case JsonValue value when i < texts.Length && value.TryGetValue<JsonElement>(out var element)
                    && element.ValueKind == JsonValueKind.String && element.ValueEquals(texts[i]):
                    message["content"] = contents[i];
                    break;
                case JsonValue value when value.TryGetValue<string>(out var text):
                    message["content"] = protection.Protect(text);
                    break;
                case JsonArray parts:
                    foreach (var part in parts.OfType<JsonObject>())
                    {
                        ProtectText(protection, part, "text");
                        ProtectText(protection, part, "refusal");
                    }

                    break;
            }

            // An assistant's refusal sent back in the history: the model may have quoted the patient in it.
            ProtectText(protection, message, "refusal");
        }

        return body;
    }

    private static void ProtectStop(IDataProtection protection, JsonObject body)
    {
        if (body["stop"] is JsonArray stops)
        {
            for (var i = 0; i < stops.Count; i++)
            {
                if (stops[i] is JsonValue value && value.TryGetValue<string>(out var text) && protection.Protect(text) is var result && !ReferenceEquals(result, text))
                {
                    stops[i] = result;
                }
            }
        }
        else
        {
            ProtectText(protection, body, "stop");
        }
    }

    /// <summary>Chat tools (<c>{"type": "function", "function": {…}}</c>) or the legacy <c>functions</c> (the function itself).</summary>
    private static void ProtectTools(IDataProtection protection, JsonNode? tools, bool nested)
    {
        if (tools is not JsonArray array)
        {
            return;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if ((nested ? array[i]?["function"] : array[i]) is JsonObject function)
            {
                ProtectDescription(protection, function, nested ? $"tools[{i}].function" : $"functions[{i}]");
                JsonSchemaTexts.Protect(protection, function["parameters"]);
            }
        }
    }

    /// <summary>
    /// A tool's or schema's <c>description</c>: a string, or, sent as a list or an object, every string in it (a vendor
    /// reads those as well), whose member names, which cannot be replaced, must hold no value.
    /// </summary>
    private static void ProtectDescription(IDataProtection protection, JsonObject holder, string path)
    {
        if (holder["description"] is JsonValue)
        {
            ProtectText(protection, holder, "description");
        }
        else
        {
            JsonSchemaTexts.ProtectEveryString(protection, holder["description"]);
            if (JsonSchemaTexts.KeepsAnIdentifier(protection, holder["description"]))
            {
                throw KeptIdentifier(path + ".description");
            }
        }
    }

    private static void ProtectText(IDataProtection protection, JsonObject holder, string member)
    {
        if (holder[member] is JsonValue value && value.TryGetValue<string>(out var text) && protection.Protect(text) is var result && !ReferenceEquals(result, text))
        {
            holder[member] = result;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "De-identifier {Protector} failed with {ExceptionType} on trace {TraceId}; the call was refused and nothing was sent.")]
    private static partial void LogProtectorFault(ILogger logger, string exceptionType, string protector, string traceId);
}
