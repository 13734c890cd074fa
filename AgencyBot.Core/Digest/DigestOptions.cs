namespace AgencyBot.Core.Digest;

/// <summary>Digest: the managers' morning report.</summary>
public sealed class DigestOptions
{
    public const string Section = "Digest";
    /// <summary>Time of day (Agency:TimeZone) the digest goes out.</summary>
    public TimeSpan Time { get; set; } = TimeSpan.FromHours(9);
    /// <summary>Send it here instead of to each manager's private chat.</summary>
    public long? ChatId { get; set; }
    /// <summary>Account management above this share of a project's hours gets a warning mark.</summary>
    public double OverheadTargetPercent { get; set; } = 10;
    /// <summary>Clients who have not written for this long are listed.</summary>
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>"7 days", "36 hours": how the digest names <see cref="SilentAfter"/>.</summary>
    public string SilentAfterInWords => SilentAfter.TotalDays >= 2 && SilentAfter.TotalDays % 1 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{SilentAfter.TotalDays:0} days")
        : string.Create(CultureInfo.InvariantCulture, $"{SilentAfter.TotalHours:0.#} hours");
}
