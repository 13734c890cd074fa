using System.Collections.Concurrent;

namespace AgencyBot.Core.Data;

/// <summary>
/// Background work keyed by chat, at most one running per key. The key is registered before the work starts,
/// so work that finishes at once cannot remove its key before it was added (and leave the chat stuck).
/// </summary>
public sealed class KeyedWork
{
    private readonly ConcurrentDictionary<long, Task> _running = new();

    public int Count => _running.Count;

    public bool IsRunning(long key) => _running.ContainsKey(key);

    public HashSet<long> Snapshot() => _running.Keys.ToHashSet();

    public void Start(long key, Func<Task> work, Action onDone)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running[key] = RunAsync(go.Task);
        go.SetResult();

        async Task RunAsync(Task start)
        {
            await start;
            try
            {
                await work();
            }
            finally
            {
                _running.TryRemove(key, out _);
                onDone();
            }
        }
    }

    public Task WhenAllAsync() => Task.WhenAll(_running.Values);
}
