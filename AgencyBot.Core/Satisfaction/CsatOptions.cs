namespace AgencyBot.Core.Satisfaction;

/// <summary>Csat: asking clients how an answered exchange went.</summary>
public sealed class CsatOptions
{
    public const string Section = "Csat";
    public bool Enabled { get; set; } = true;
    /// <summary>How long an answered conversation stays quiet before the client is asked.</summary>
    public TimeSpan After { get; set; } = TimeSpan.FromHours(2);
    /// <summary>A chat is asked at most once in this long.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromDays(14);
}
