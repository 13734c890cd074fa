namespace AgencyBot.Core.Escalation;

/// <summary>Sla: the response-time promise.</summary>
public sealed class SlaOptions
{
    public const string Section = "Sla";
    /// <summary>The promised time to a first answer.</summary>
    public TimeSpan FirstResponse { get; set; } = TimeSpan.FromMinutes(15);
}
