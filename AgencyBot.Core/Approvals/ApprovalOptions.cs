namespace AgencyBot.Core.Approvals;

/// <summary>Approvals: nudging a client the agency waits for (an approval, or a task waiting for the client).</summary>
public sealed class ApprovalOptions
{
    public const string Section = "Approvals";
    /// <summary>Working days of the client's silence before a polite nudge (and between nudges).</summary>
    public int RemindAfter { get; set; } = 2;
    /// <summary>At most this many nudges per wait.</summary>
    public int MaxReminders { get; set; } = 2;
}
