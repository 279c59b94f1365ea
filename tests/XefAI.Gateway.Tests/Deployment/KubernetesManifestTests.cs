namespace XefAI.Gateway.Tests.Deployment;

/// <summary>
/// The Kustomize base in <c>deploy/</c> checked offline against the Kubernetes API schemas by
/// <c>deploy/validate/validate.mjs</c>; no cluster is involved.
/// </summary>
public sealed class KubernetesManifestTests
{
    [DeployValidationFact]
    public async Task The_base_in_deploy_is_valid_against_the_Kubernetes_schemas()
    {
        var (exitCode, output) = await KubernetesManifestValidator.RunAsync(KubernetesManifestValidator.DeployFolder);

        Assert.True(exitCode == 0, output);
        Assert.Contains("valid: Deployment/xefai-gateway", output, StringComparison.Ordinal);
        Assert.Contains("valid: ServiceMonitor/xefai-gateway", output, StringComparison.Ordinal);
        Assert.Contains("valid: HorizontalPodAutoscaler/xefai-gateway", output, StringComparison.Ordinal);
        Assert.Contains("valid: PodDisruptionBudget/xefai-gateway", output, StringComparison.Ordinal);
        Assert.Contains("valid: ConfigMap/xefai-gateway-config", output, StringComparison.Ordinal);
    }

    [DeployValidationFact]
    public async Task A_deployment_with_replicas_as_text_fails_and_names_the_object()
    {
        var folder = Directory.CreateTempSubdirectory("xefai-k8s-");
        try
        {
            var deployment = await File.ReadAllTextAsync(Path.Combine(KubernetesManifestValidator.DeployFolder, "deployment.yaml"));
            Assert.Contains("replicas: 2", deployment, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "deployment.yaml"), deployment.Replace("replicas: 2", "replicas: \"two\"", StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "kustomization.yaml"), "resources:\n  - deployment.yaml\n");

            var (exitCode, output) = await KubernetesManifestValidator.RunAsync(folder.FullName);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("INVALID: Deployment/xefai-gateway (deployment.yaml): data/spec/replicas must be integer", output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [DeployValidationFact]
    public async Task A_config_map_that_drifted_from_the_config_folder_fails()
    {
        var folder = Directory.CreateTempSubdirectory("xefai-k8s-");
        try
        {
            // The validator compares the ConfigMap with ../config next to the kustomization folder.
            var deployFolder = Directory.CreateDirectory(Path.Combine(folder.FullName, "deploy"));
            var config = Directory.CreateDirectory(Path.Combine(folder.FullName, "config"));
            await File.WriteAllTextAsync(Path.Combine(config.FullName, "appsettings.json"), "{ \"Changed\": true }\n");
            File.Copy(Path.Combine(KubernetesManifestValidator.DeployFolder, "configmap.yaml"), Path.Combine(deployFolder.FullName, "configmap.yaml"));
            await File.WriteAllTextAsync(Path.Combine(deployFolder.FullName, "kustomization.yaml"), "resources:\n  - configmap.yaml\n");

            var (exitCode, output) = await KubernetesManifestValidator.RunAsync(deployFolder.FullName);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("ConfigMap/xefai-gateway-config: appsettings.json differs from ../config/appsettings.json", output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
