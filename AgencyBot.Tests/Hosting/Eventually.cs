namespace AgencyBot.Tests.Hosting;

/// <summary>Waits for a condition that background work makes true, polling; fails with a message on timeout.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value;
        while (!condition(value = await probe()))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {timeout} waiting for {what}; last value: {value}");
            await Task.Delay(25);
        }
        return value;
    }
}
