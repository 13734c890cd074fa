using AgencyBot.Core.Data;

namespace AgencyBot.Core.Projects;

public sealed record Project(long Id, long ClientId, string Name);

/// <summary>A project with its client's name, to find it by either.</summary>
public sealed record NamedProject(long Id, string Name, string Client)
{
    public string Label => ProjectLabel.Of(Client, Name);
}

public sealed class ProjectStore(Database database, TimeProvider clock)
{
    // Inserting through a SELECT on clients makes "unknown client" and "created" one atomic statement.
    private const string Insert = """
        INSERT INTO projects (client_id, name, created_at)
        SELECT id, @Name, @Now FROM clients WHERE id = @ClientId
        RETURNING id
        """;

    private const string SelectAll = """
        SELECT id AS Id, client_id AS ClientId, name AS Name FROM projects ORDER BY id
        """;

    private const string UpdateSettings = """
        UPDATE projects SET notify_progress = COALESCE(@NotifyProgress, notify_progress),
                            report_every = CASE WHEN @ReportEvery = '' THEN NULL ELSE COALESCE(@ReportEvery, report_every) END,
                            language = CASE WHEN @ClearLanguage THEN NULL ELSE COALESCE(@Language, language) END
        WHERE id = @Id
        """;

    private const string SelectNamed = """
        SELECT p.id AS Id, p.name AS Name, c.name AS Client FROM projects p JOIN clients c ON c.id = p.client_id ORDER BY p.id
        """;

    private const string SelectById = """
        SELECT id AS Id, client_id AS ClientId, name AS Name FROM projects WHERE id = @Id
        """;

    /// <summary>Creates a project; null when the client does not exist. <paramref name="then"/> runs in the same
    /// transaction (a template applied the minute the contract is signed, or not at all).</summary>
    public async Task<Project?> AddAsync(long clientId, string name, Func<System.Data.IDbConnection, System.Data.IDbTransaction, long, Task>? then = null,
        CancellationToken ct = default)
    {
        var id = await database.WriteAsync(async (c, t) =>
        {
            var id = await AddAsync(c, t, clientId, name, clock.GetUtcNow());
            if (id is { } created && then is not null) await then(c, t, created);
            return id;
        }, ct);
        return id is null ? null : new Project(id.Value, clientId, name);
    }

    /// <summary>The new project's id; null when the client does not exist.</summary>
    public static Task<long?> AddAsync(IDbConnection c, IDbTransaction t, long clientId, string name, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long?>(Insert, new { ClientId = clientId, Name = name, Now = now.ToUnixTimeMilliseconds() }, t);

    private const string Change = """
        UPDATE projects SET name = COALESCE(@Name, name),
                            archived_at = CASE WHEN @Archived = 1 THEN COALESCE(archived_at, @Now) WHEN @Archived = 0 THEN NULL ELSE archived_at END,
                            report_every = CASE WHEN @Archived = 1 THEN NULL ELSE report_every END
        WHERE id = @Id
        """;

    /// <summary>Renames, archives (true: no more scheduled reports) or brings back (false) a project; false when there
    /// is no such project.</summary>
    public static async Task<bool> ChangeAsync(IDbConnection c, IDbTransaction t, long id, string? name, bool? archived, DateTimeOffset now) =>
        await c.ExecuteAsync(Change, new { Id = id, Name = name, Archived = archived is { } a ? Database.Flag(a) : (int?)null, Now = now.ToUnixTimeMilliseconds() }, t) == 1;

    /// <summary>Per-project switches: progress notes to the client, and the language clients are answered in
    /// ("" clears it, so each client's own Telegram language is used). False when there is no such project.</summary>
    /// <param name="reportEvery">weekly or monthly: the bot drafts a client report that often ("" stops it).</param>
    public Task<bool> UpdateSettingsAsync(long id, bool? notifyProgress, string? language, string? reportEvery = null, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => UpdateSettingsAsync(c, t, id, notifyProgress, language, reportEvery), ct);

    public static async Task<bool> UpdateSettingsAsync(IDbConnection c, IDbTransaction t, long id, bool? notifyProgress, string? language, string? reportEvery) =>
        await c.ExecuteAsync(UpdateSettings, new
        {
            Id = id, ReportEvery = reportEvery, NotifyProgress = notifyProgress is { } notify ? Database.Flag(notify) : (int?)null, Language = language == "" ? null : language, ClearLanguage = language == "",
        }, t) == 1;

    public async Task<IReadOnlyList<Project>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<Project>(SelectAll)).AsList();
    }

    private static readonly string SelectLabel = $"SELECT {ProjectLabel.Sql("c", "p")} FROM projects p JOIN clients c ON c.id = p.client_id WHERE p.id = @ProjectId";

    /// <summary>"Client · Project"; null when there is no such project.</summary>
    public static Task<string?> LabelAsync(IDbConnection c, IDbTransaction? t, long projectId) =>
        c.ExecuteScalarAsync<string?>(SelectLabel, new { ProjectId = projectId }, t);

    private const string SelectSettings = """
        SELECT name AS Name, language AS Language, notify_progress AS NotifyProgress, report_every AS ReportEvery, archived_at AS ArchivedAt
        FROM projects WHERE id = @ProjectId
        """;

    /// <summary>A project's name and switches: the language its clients are answered in (null: each client's own),
    /// whether they hear of progress, how often a client report is drafted.</summary>
    public sealed record Settings
    {
        public string Name { get; init; } = "";
        public string? Language { get; init; }
        public bool NotifyProgress { get; init; }
        public string? ReportEvery { get; init; }
        public long? ArchivedAt { get; init; }
    }

    public static Task<Settings?> SettingsAsync(IDbConnection c, IDbTransaction? t, long projectId) =>
        c.QuerySingleOrDefaultAsync<Settings>(SelectSettings, new { ProjectId = projectId }, t);

    private const string SelectReported = "SELECT id AS Id, report_every AS Every FROM projects WHERE report_every IS NOT NULL";

    /// <summary>The projects the bot drafts client reports for, and how often (weekly, monthly).</summary>
    public static async Task<IReadOnlyList<(long Id, string Every)>> ReportedAsync(IDbConnection c, IDbTransaction? t) =>
        (await c.QueryAsync<(long, string)>(SelectReported, transaction: t)).AsList();

    private const string SetStarted = "UPDATE projects SET started_on = COALESCE(started_on, @Start) WHERE id = @ProjectId";

    /// <summary>The project started on <paramref name="start"/>, unless it had started already.</summary>
    public static Task MarkStartedAsync(IDbConnection c, IDbTransaction t, long projectId, DateOnly start) =>
        c.ExecuteAsync(SetStarted, new { ProjectId = projectId, Start = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, t);

    public static async Task<IReadOnlyList<NamedProject>> NamedAsync(IDbConnection c, IDbTransaction? t) =>
        (await c.QueryAsync<NamedProject>(SelectNamed, transaction: t)).AsList();

    public async Task<Project?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await FindAsync(connection, null, id);
    }

    private const string SelectOfClient = "SELECT id AS Id, client_id AS ClientId, name AS Name FROM projects WHERE client_id = @ClientId AND archived_at IS NULL ORDER BY id";

    /// <summary>The client's projects that are not archived.</summary>
    public static async Task<IReadOnlyList<Project>> OfClientAsync(IDbConnection c, IDbTransaction? t, long clientId) =>
        (await c.QueryAsync<Project>(SelectOfClient, new { ClientId = clientId }, t)).AsList();

    public static Task<Project?> FindAsync(IDbConnection c, IDbTransaction? t, long id) =>
        c.QuerySingleOrDefaultAsync<Project>(SelectById, new { Id = id }, t);
}
