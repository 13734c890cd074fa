using AgencyBot.Core.Data;

namespace AgencyBot.Core.TimeTracking;

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
}

/// <summary>Time logged on projects, by category (account management or production).</summary>
public sealed class TimeEntryStore(Database database, TimeProvider clock)
{
    private const string Insert = """
        INSERT INTO time_entries (project_id, staff_id, minutes, category, note, spent_on, created_at)
        VALUES (@ProjectId, @StaffId, @Minutes, @Category, @Note, @SpentOn, @Now)
        RETURNING id
        """;

    private const string SelectOfProject = """
        SELECT e.id AS Id, e.project_id AS ProjectId, e.staff_id AS StaffId, s.name AS StaffName, e.minutes AS Minutes,
               e.category AS Category, e.note AS Note, e.spent_on AS SpentOn
        FROM time_entries e JOIN staff s ON s.id = e.staff_id
        WHERE e.project_id = @ProjectId AND e.spent_on >= @From AND e.spent_on < @To
        ORDER BY e.spent_on, e.id
        """;

    public static Task<long> AddAsync(IDbConnection c, IDbTransaction t, long projectId, long staffId, int minutes, string category, string? note,
        DateOnly spentOn, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long>(Insert, new
        {
            ProjectId = projectId, StaffId = staffId, Minutes = minutes, Category = category, Note = note,
            SpentOn = spentOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Now = now.ToUnixTimeMilliseconds(),
        }, t);

    public Task<long> AddAsync(long projectId, long staffId, int minutes, string category, string? note, DateOnly spentOn, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => AddAsync(c, t, projectId, staffId, minutes, category, note, spentOn, clock.GetUtcNow()), ct);

    public async Task<IReadOnlyList<TimeEntry>> OfProjectAsync(long projectId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<TimeEntry>(SelectOfProject, new
        {
            ProjectId = projectId, From = from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            To = to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        })).AsList();
    }
}
