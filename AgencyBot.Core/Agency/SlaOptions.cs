namespace AgencyBot.Core.Agency;

/// <summary>Sla: the response-time promise and its two-stage escalation, all in business time.</summary>
public sealed class SlaOptions
{
    public const string Section = "Sla";
    /// <summary>How often waiting clients are checked.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Unanswered this long: a reminder in the project's topic.</summary>
    public TimeSpan Remind { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>The promised time to a first answer; past it the conversation is breached.</summary>
    public TimeSpan FirstResponse { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Unanswered this long: every manager is alerted (before the client's half hour runs out).</summary>
    public TimeSpan Escalate { get; set; } = TimeSpan.FromMinutes(25);
}
