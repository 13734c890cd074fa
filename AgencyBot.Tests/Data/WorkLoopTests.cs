using AgencyBot.Core.Data;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.Data;

/// <summary>The queues' loop waits until the moment a pass asked to run again, and never longer than its idle interval.</summary>
public sealed class WorkLoopTests
{
    private sealed class TestSignal : WorkSignal;

    [Test]
    public async Task TimeThatPassesDuringAPass_IsNotWaitedAgain()
    {
        // The first pass finds nothing due for a second, and a minute passes while it runs (a slow query; a test's
        // clock jumping). Nothing is notified and the clock stands still afterwards: the next pass must still come.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero));
        var passes = 0;
        var second = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var loop = WorkLoop.RunAsync(_ =>
        {
            var now = clock.GetUtcNow(); // what the pass judges by
            if (++passes == 1) clock.Advance(TimeSpan.FromMinutes(1));
            else second.TrySetResult();
            return Task.FromResult(now + TimeSpan.FromSeconds(1));
        }, new TestSignal(), TimeSpan.FromSeconds(1), clock, NullLogger.Instance, "Testing", stop.Token);

        var ran = await Task.WhenAny(second.Task, Task.Delay(TimeSpan.FromSeconds(10))) == second.Task;
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(ran, Is.True, "the second pass ran without the clock moving again");
    }

    [TestCase(1, TestName = "APassThatAsksForASecond_WaitsThatSecond")]
    [TestCase(3600, TestName = "APassThatAsksForAnHour_WaitsNoLongerThanTheIdleSecond")]
    public async Task TheWait_IsTheOneAskedFor_AtMostTheIdleInterval(int askedSeconds)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero));
        var passes = 0;
        using var stop = new CancellationTokenSource();
        var loop = WorkLoop.RunAsync(_ =>
        {
            Interlocked.Increment(ref passes);
            return Task.FromResult(clock.GetUtcNow() + TimeSpan.FromSeconds(askedSeconds));
        }, new TestSignal(), TimeSpan.FromSeconds(1), clock, NullLogger.Instance, "Testing", stop.Token);

        await Task.Delay(300);
        var beforeTheSecond = Volatile.Read(ref passes);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref passes)), n => n == 2, TimeSpan.FromSeconds(10), "the second pass");
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(beforeTheSecond, Is.EqualTo(1), "no second pass before its second");
    }
}
