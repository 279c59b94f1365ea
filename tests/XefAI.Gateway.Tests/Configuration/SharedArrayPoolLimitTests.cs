using XefAI.Gateway.Hosting;

namespace XefAI.Gateway.Tests.Configuration;

// The variable is process-wide; no other test reads or writes it.
public sealed class SharedArrayPoolLimitTests
{
    [Fact]
    public void Raise_WithoutAnOperatorsValue_SetsTheLimitForTheDefaultConcurrency()
    {
        var before = Environment.GetEnvironmentVariable(SharedArrayPoolLimit.Variable);
        try
        {
            Environment.SetEnvironmentVariable(SharedArrayPoolLimit.Variable, null);

            Assert.Equal("256", SharedArrayPoolLimit.Raise());
            Assert.Equal("256", Environment.GetEnvironmentVariable(SharedArrayPoolLimit.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SharedArrayPoolLimit.Variable, before);
        }
    }

    [Fact]
    public void Raise_AnOperatorsValue_IsKept()
    {
        var before = Environment.GetEnvironmentVariable(SharedArrayPoolLimit.Variable);
        try
        {
            Environment.SetEnvironmentVariable(SharedArrayPoolLimit.Variable, "64");

            Assert.Equal("64", SharedArrayPoolLimit.Raise());
            Assert.Equal("64", Environment.GetEnvironmentVariable(SharedArrayPoolLimit.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SharedArrayPoolLimit.Variable, before);
        }
    }
}
