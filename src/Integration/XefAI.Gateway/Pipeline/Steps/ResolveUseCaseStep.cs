using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>Resolve the use case the call names, and check that the app is granted it.</summary>
internal sealed class ResolveUseCaseStep : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        var request = call.Request!;
        var app = call.App!;
        if (string.IsNullOrEmpty(request.UseCaseId))
        {
            call.Error = CallError.InvalidRequest(
                "missing_required_parameter", "Name the use case to call; GET /v1/models lists the ones your app may call.", request.UseCaseParam);
        }
        else if (!call.Config.UseCases.TryGet(request.UseCaseId, out var useCase))
        {
            // The name is echoed only when short and plain: a 500 KB "model" came back whole in the error.
            call.Error = CallError.NotFound(
                "model_not_found", $"The use case {Clinical.ClinicalTaskRequestReader.Quoted(request.UseCaseId)} does not exist; GET /v1/models lists the ones your app may call.", request.UseCaseParam);
        }
        else
        {
            call.UseCase = useCase;
            if (!app.UseCases.Contains(useCase.Id))
            {
                call.Error = CallError.Forbidden(
                    "use_case_not_granted", $"App '{app.Id}' is not granted use case '{useCase.Id}'; ask its owner ({useCase.Owner}) for access.");
            }
        }

        return ValueTask.CompletedTask;
    }
}
