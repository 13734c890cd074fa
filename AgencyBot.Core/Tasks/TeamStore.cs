using AgencyBot.Core.Data;

namespace AgencyBot.Core.Tasks;

public sealed record TeamMember(string Role, long StaffId, string StaffName);

/// <summary>Which staff member plays which team role on a project.</summary>
public sealed class TeamStore(Database database)
{
    private const string Select = """
        SELECT tm.role AS Role, tm.staff_id AS StaffId, s.name AS StaffName
        FROM team_members tm JOIN staff s ON s.id = tm.staff_id
        WHERE tm.project_id = @ProjectId ORDER BY tm.role
        """;

    private const string Clear = "DELETE FROM team_members WHERE project_id = @ProjectId";

    private const string Leave = "DELETE FROM team_members WHERE staff_id = @StaffId";

    /// <summary>Someone left the staff: they play no team role any more (their task history stays on the tasks).</summary>
    public static Task LeaveAllAsync(IDbConnection c, IDbTransaction t, long staffId) => c.ExecuteAsync(Leave, new { StaffId = staffId }, t);

    private const string Insert = "INSERT INTO team_members (project_id, role, staff_id) VALUES (@ProjectId, @Role, @StaffId)";

    public static async Task<IReadOnlyList<TeamMember>> OfProjectAsync(IDbConnection c, IDbTransaction? t, long projectId) =>
        (await c.QueryAsync<TeamMember>(Select, new { ProjectId = projectId }, t)).AsList();

    public async Task<IReadOnlyList<TeamMember>> OfProjectAsync(long projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await OfProjectAsync(connection, null, projectId);
    }

    /// <summary>Replaces the project's team.</summary>
    public Task SetAsync(long projectId, IReadOnlyCollection<(string Role, long StaffId)> members, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => SetAsync(c, t, projectId, members), ct);

    private const string Put = """
        INSERT INTO team_members (project_id, role, staff_id) VALUES (@ProjectId, @Role, @StaffId)
        ON CONFLICT (project_id, role) DO UPDATE SET staff_id = excluded.staff_id
        """;

    private const string Remove = "DELETE FROM team_members WHERE project_id = @ProjectId AND role = @Role";

    /// <summary>One role of the team: who plays it now (the others stay as they are).</summary>
    public static Task PutAsync(IDbConnection c, IDbTransaction t, long projectId, string role, long staffId) =>
        c.ExecuteAsync(Put, new { ProjectId = projectId, Role = role, StaffId = staffId }, t);

    /// <summary>Nobody plays the role any more; false when nobody did.</summary>
    public static async Task<bool> RemoveAsync(IDbConnection c, IDbTransaction t, long projectId, string role) =>
        await c.ExecuteAsync(Remove, new { ProjectId = projectId, Role = role }, t) == 1;

    public static async Task SetAsync(IDbConnection c, IDbTransaction t, long projectId, IReadOnlyCollection<(string Role, long StaffId)> members)
    {
        await c.ExecuteAsync(Clear, new { ProjectId = projectId }, t);
        await c.ExecuteAsync(Insert, members.Select(m => new { ProjectId = projectId, m.Role, m.StaffId }), t);
    }
}
