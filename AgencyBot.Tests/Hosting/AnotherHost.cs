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

    /// <summary>Runs <paramref name="run"/> while another host holds <paramref name="scope"/>: what it returned if it
    /// finished within <paramref name="patience"/>, else null; and what it returned once the other host let go.</summary>
    public static async Task<(T? WhileHeld, T After)> WhileHoldingAsync<T>(string connectionString, WriteScope scope, Func<Task<T>> run,
        TimeSpan patience) where T : struct
    {
        var other = await HoldsAsync(connectionString, scope);
        Task<T> running;
        T? whileHeld;
        try
        {
            running = run();
            whileHeld = await Task.WhenAny(running, Task.Delay(patience)) == running ? await running : null;
        }
        finally
        {
            await other.ReleaseAsync();
        }
        return (whileHeld, await running.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Ends the transaction and waits until it has.</summary>
    public async Task ReleaseAsync()
    {
        _release.TrySetResult();
        await _done;
    }
}
