namespace AgencyBot.Core.Agency;

/// <summary>Agency: who the agency is and where its staff work.</summary>
public sealed class AgencyOptions
{
    public const string Section = "Agency";
    public string Name { get; set; } = "Our agency";
    /// <summary>The staff supergroup; a registered staff member's /setup in a group overrides it.</summary>
    public long? StaffChatId { get; set; }
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromDays(14);
    /// <summary>Add the staff member's first name under answers relayed to clients.</summary>
    public bool SignStaffReplies { get; set; } = true;
    /// <summary>IANA time zone for times shown to people (and, later, business hours and the digest).</summary>
    public string TimeZone { get; set; } = "UTC";

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public static bool IsKnownZone(string id)
    {
        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return false;
        }
    }
}
