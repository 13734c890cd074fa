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

    public IEnumerable<string> All => AccountManagement.Concat(Production);

    public bool IsAccountManagement(string category) => AccountManagement.Contains(category);
}
