using AgencyBot.Core.Data;

namespace AgencyBot.Core.TimeTracking;

/// <summary>Where a time entry comes from: typed by someone, measured by the bot from the conversation record, or
/// counted for an invoice or a client report the bot delivered.</summary>
public enum TimeSource { Typed, Measured, Invoice, Report }

public sealed record TimeEntry
{
    public long Id { get; init; }
    public long ProjectId { get; init; }
    public long StaffId { get; init; }
    public string StaffName { get; init; } = "";
    public long Minutes { get; init; }
    public string Category { get; init; } = "";
    public string? Note { get; init; }
    public string SpentOn { get; init; } = "";
    public string Source { get; init; } = "typed";
    /// <summary>The measured entry this one corrects (it then counts instead of it).</summary>
    public long? Replaces { get; init; }
}

/// <summary>A time entry about to be written.</summary>
public sealed record NewTimeEntry(long ProjectId, long StaffId, int Minutes, string Category, string? Note, DateOnly SpentOn,
    TimeSource Source = TimeSource.Typed, long? Replaces = null);

/// <summary>Minutes logged on a project in a period, all of them and those of account management; measured
/// account-management minutes are a part of the latter.</summary>
public sealed record TimeUse(long AllMinutes, long AccountMinutes, long MeasuredAccountMinutes, long ProductionMinutes);

/// <summary>
/// Time logged on projects, by category (account management or production) and source. Entries are only ever added:
/// a measured day is corrected by an entry that replaces it, and every sum counts an entry only while nothing
/// replaces it (<see cref="Current"/>).
/// </summary>
public sealed class TimeEntryStore(Database database, IOptions<TimeTrackingOptions> options, TimeProvider clock)
{
    /// <summary>The entries that count: those no later entry replaces (aliased e).</summary>
    public const string Current = "NOT EXISTS (SELECT 1 FROM time_entries r WHERE r.replaces = e.id)";

    private const string Insert = """
        INSERT INTO time_entries (project_id, staff_id, minutes, category, note, spent_on, created_at, source, replaces)
        VALUES (@ProjectId, @StaffId, @Minutes, @Category, @Note, @SpentOn, @Now, @Source, @Replaces)
        RETURNING id
        """;

    private const string Columns = """
        e.id AS Id, e.project_id AS ProjectId, e.staff_id AS StaffId, s.name AS StaffName, e.minutes AS Minutes,
        e.category AS Category, e.note AS Note, e.spent_on AS SpentOn, e.source AS Source, e.replaces AS Replaces
        """;

    private const string SelectOfProject = $"""
        SELECT {Columns}
        FROM time_entries e JOIN staff s ON s.id = e.staff_id
        WHERE e.project_id = @ProjectId AND e.spent_on >= @From AND e.spent_on < @To AND {Current}
        ORDER BY e.spent_on, e.id
        """;

    private const string SelectMeasured = $"""
        SELECT {Columns}
        FROM time_entries e JOIN staff s ON s.id = e.staff_id
        WHERE e.project_id = @ProjectId AND e.staff_id = @StaffId AND e.spent_on = @Day AND e.source = 'measured' AND {Current}
        """;

    /// <summary>Per project, category and source, the minutes that count in [From, To); From and To may be null (open).</summary>
    private const string SelectSums = $"""
        SELECT e.project_id AS ProjectId, e.category AS Category, e.source AS Source, CAST(SUM(e.minutes) AS BIGINT) AS Minutes
        FROM time_entries e
        WHERE (@ProjectId IS NULL OR e.project_id = @ProjectId)
          AND (@From IS NULL OR e.spent_on >= @From) AND (@To IS NULL OR e.spent_on < @To) AND {Current}
        GROUP BY e.project_id, e.category, e.source
        """;

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string SourceName(TimeSource source) => source.ToString().ToLowerInvariant();

    public static Task<long> AddAsync(IDbConnection c, IDbTransaction t, NewTimeEntry entry, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long>(Insert, new
        {
            entry.ProjectId, entry.StaffId, entry.Minutes, entry.Category, entry.Note, SpentOn = Iso(entry.SpentOn), Now = now.ToUnixTimeMilliseconds(),
            Source = SourceName(entry.Source), entry.Replaces,
        }, t);

    public Task<long> AddAsync(NewTimeEntry entry, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => AddAsync(c, t, entry, clock.GetUtcNow()), ct);

    /// <summary>The measured entry of a staff member's day on a project that counts now (a correction, or the bot's own).</summary>
    public static Task<TimeEntry?> MeasuredAsync(IDbConnection c, IDbTransaction? t, long projectId, long staffId, DateOnly day) =>
        c.QuerySingleOrDefaultAsync<TimeEntry>(SelectMeasured, new { ProjectId = projectId, StaffId = staffId, Day = Iso(day) }, t);

    /// <summary>Corrects a staff member's measured time of a day: a new measured entry that replaces the one that
    /// counted (if any; a day not measured yet is then left alone by the measurement). Returns the minutes it replaced.</summary>
    public static async Task<long?> CorrectMeasuredAsync(IDbConnection c, IDbTransaction t, long projectId, long staffId, DateOnly day, int minutes,
        string category, string by, DateTimeOffset now)
    {
        var before = await MeasuredAsync(c, t, projectId, staffId, day);
        await AddAsync(c, t, new NewTimeEntry(projectId, staffId, minutes, category,
            $"corrected by {by}" + (before is null ? "" : $" (measured {Durations.Format(before.Minutes)})"), day, TimeSource.Measured, before?.Id), now);
        return before?.Minutes;
    }

    /// <summary>What was logged on each project (or one) in [from, to), split as <see cref="TimeUse"/>.</summary>
    public async Task<IReadOnlyDictionary<long, TimeUse>> UseAsync(IDbConnection c, IDbTransaction? t, long? projectId, DateOnly? from, DateOnly? to)
    {
        var rows = await c.QueryAsync<(long ProjectId, string Category, string Source, long Minutes)>(SelectSums,
            new { ProjectId = projectId, From = from is { } f ? Iso(f) : null, To = to is { } u ? Iso(u) : null }, t);
        // Which categories count as account management is settled here rather than in SQL: the engines disagree on
        // how a list parameter is spelled.
        var accountManagement = options.Value.AccountManagement.ToHashSet(StringComparer.Ordinal);
        return rows.GroupBy(r => r.ProjectId).ToDictionary(g => g.Key, g => new TimeUse(
            g.Sum(r => r.Minutes),
            g.Where(r => accountManagement.Contains(r.Category)).Sum(r => r.Minutes),
            g.Where(r => accountManagement.Contains(r.Category) && r.Source == "measured").Sum(r => r.Minutes),
            g.Where(r => !accountManagement.Contains(r.Category)).Sum(r => r.Minutes)));
    }

    public async Task<IReadOnlyList<TimeEntry>> OfProjectAsync(long projectId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<TimeEntry>(SelectOfProject, new { ProjectId = projectId, From = Iso(from), To = Iso(to) })).AsList();
    }
}
