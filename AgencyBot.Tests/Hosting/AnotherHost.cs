using AgencyBot.Core.Data;

namespace AgencyBot.Tests.Hosting;

/// <summary>Another host's write transaction on the same PostgreSQL database, held open while a test looks at what waits
/// for it and what does not.</summary>
public sealed class AnotherHost
{
    private readonly Task _done;
    private readonly TaskCompletionSource _release = new();

    private AnotherHost(Task done, TaskCompletionSource release) => (_done, _release) = (done, release);

    /// <summary>Opens a transaction of <paramref name="scope"/> (default: the whole database) and holds it until
    /// <see cref="ReleaseAsync"/>.</summary>
    public static async Task<AnotherHost> HoldsAsync(string connectionString, WriteScope? scope = null)
    {
        var other = new Database(connectionString, DatabaseProvider.Postgres);
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var done = other.WriteAsync(scope ?? WriteScope.Everything, async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
        }).ContinueWith(_ => other.DisposeAsync().AsTask()).Unwrap();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return new AnotherHost(done, release);
    }

    /// <summary>Ends the transaction and waits until it has.</summary>
    public async Task ReleaseAsync()
    {
        _release.TrySetResult();
        await _done;
    }
}
