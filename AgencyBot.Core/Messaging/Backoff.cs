namespace AgencyBot.Core.Messaging;

/// <summary>How long to wait before calling Telegram again after <c>failures</c> failures in a row: one second, then
/// doubling up to a cap, plus up to a fifth more at random so that hosts failing together do not retry together.</summary>
public static class Backoff
{
    /// <summary>For calls the bot cannot work without (getUpdates, setWebhook, getMe): back soon after Telegram is.</summary>
    public static readonly TimeSpan StartupCap = TimeSpan.FromSeconds(30);

    public static TimeSpan After(int failures, TimeSpan cap)
    {
        var seconds = Math.Min(Math.Pow(2, Math.Clamp(failures, 1, 17) - 1), cap.TotalSeconds);
        return TimeSpan.FromSeconds(seconds + Random.Shared.NextDouble() * 0.2 * seconds);
    }
}
