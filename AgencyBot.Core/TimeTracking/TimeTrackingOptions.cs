namespace AgencyBot.Core.TimeTracking;

/// <summary>TimeTracking: which categories of logged time are account management and which are production.</summary>
public sealed class TimeTrackingOptions
{
    public const string Section = "TimeTracking";
    // Defaults are applied after binding (see Defaults): the configuration binder adds to a list it finds filled.
    public List<string> AccountManagement { get; set; } = [];
    public List<string> Production { get; set; } = [];

    public static readonly string[] DefaultAccountManagement = ["comms", "invoice", "report", "meeting"];
    public static readonly string[] DefaultProduction = ["work"];

    public void Defaults()
    {
        if (AccountManagement.Count == 0) AccountManagement = [.. DefaultAccountManagement];
        if (Production.Count == 0) Production = [.. DefaultProduction];
    }

    /// <summary>What preparing an invoice sent with /invoice counts as (category invoice).</summary>
    public TimeSpan InvoiceCost { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A client report counts the staff time from its draft to its sending (category report), at most this.</summary>
    public TimeSpan ReportCost { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How the bot measures each staff member's communication time from the conversation record.</summary>
    public MeasureOptions Measure { get; set; } = new();

    public IEnumerable<string> All => AccountManagement.Concat(Production);

    public bool IsAccountManagement(string category) => AccountManagement.Contains(category);

    /// <summary>The account-management category the bot logs its own time under: <paramref name="wanted"/> ("invoice",
    /// "report") if the agency has it, else the one measured time goes to.</summary>
    public string AccountCategory(string wanted) => AccountManagement.Contains(wanted) ? wanted : Measure.Category;
}

/// <summary>
/// TimeTracking:Measure. A staff member's activity on a project (answers, notes, commands, button presses) is grouped
/// into sessions: a session ends after <see cref="SessionGap"/> without activity, and costs its span plus
/// <see cref="PerSession"/>. Each client message costs its reader <see cref="ReadPerMessage"/> plus its length at
/// <see cref="ReadingCharsPerMinute"/>; it is read by whoever acts next in its conversation. A day is measured once it
/// is over, and written as one time entry per person and project (source "measured").
/// </summary>
public sealed class MeasureOptions
{
    public bool Enabled { get; set; } = true;
    public TimeSpan SessionGap { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan PerSession { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan ReadPerMessage { get; set; } = TimeSpan.FromSeconds(15);
    public int ReadingCharsPerMinute { get; set; } = 1000;
    /// <summary>The category measured time is logged under (an account-management one).</summary>
    public string Category { get; set; } = "comms";
    /// <summary>How far back days not measured yet (the service was down, or just installed) are measured.</summary>
    public TimeSpan Backfill { get; set; } = TimeSpan.FromDays(35);
}
