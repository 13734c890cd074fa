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
    /// <summary>The team roles a project can staff (designer, developer, …): templates may only use these.</summary>
    public List<string> TeamRoles { get; set; } = [];

    /// <summary>When the team works, e.g. "Mon-Fri 09:00-18:00" (parts joined with ';'); empty: always.</summary>
    public string BusinessHours { get; set; } = "";

    /// <summary>Days off: no business time (and working-day offsets skip them), besides weekends.</summary>
    public List<DateOnly> Holidays { get; set; } = [];

    /// <summary>Tags offered on the "Tag" button of relayed messages (/tag takes any).</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>Fills the lists left empty. Applied after binding: the configuration binder adds to a list it finds
    /// filled, so defaults cannot be property initializers.</summary>
    public AgencyOptions Defaults()
    {
        if (TeamRoles.Count == 0) TeamRoles = ["assistant", "manager", "designer", "developer", "seo", "copywriter"];
        if (Tags.Count == 0) Tags = ["question", "change", "bug", "invoice", "urgent"];
        return this;
    }

    /// <summary>IANA time zone for times shown to people (and, later, business hours and the digest).</summary>
    public string TimeZone { get; set; } = "UTC";

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>Today's date where the agency is.</summary>
    public DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());

    /// <summary>The date it is (or was) where the agency is at <paramref name="moment"/>.</summary>
    public DateOnly DateOf(DateTimeOffset moment) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moment, Zone()).DateTime);

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
