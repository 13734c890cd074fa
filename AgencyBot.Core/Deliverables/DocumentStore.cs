namespace AgencyBot.Core.Deliverables;

public enum DocumentKind { Invoice, Report }

/// <summary>A document the bot delivered to a project's clients.</summary>
public sealed record ProjectDocument(long Id, long ProjectId, string Kind, long? StaffId, string? Note, long Chats, long SentAt);

/// <summary>The invoices and client reports delivered for each project: what the client got, when, and who sent it.</summary>
public static class DocumentStore
{
    private const string Insert = """
        INSERT INTO project_documents (project_id, kind, staff_id, note, chats, sent_at) VALUES (@ProjectId, @Kind, @StaffId, @Note, @Chats, @Now)
        RETURNING id
        """;

    private const string SelectOfProject = """
        SELECT id AS Id, project_id AS ProjectId, kind AS Kind, staff_id AS StaffId, note AS Note, chats AS Chats, sent_at AS SentAt
        FROM project_documents WHERE project_id = @ProjectId ORDER BY id
        """;

    public static Task<long> AddAsync(IDbConnection c, IDbTransaction t, long projectId, DocumentKind kind, long? staffId, string? note, int chats,
        DateTimeOffset now) =>
        c.ExecuteScalarAsync<long>(Insert, new
        {
            ProjectId = projectId, Kind = kind.ToString().ToLowerInvariant(), StaffId = staffId, Note = note, Chats = chats, Now = now.ToUnixTimeMilliseconds(),
        }, t);

    public static async Task<IReadOnlyList<ProjectDocument>> OfProjectAsync(IDbConnection c, long projectId) =>
        (await c.QueryAsync<ProjectDocument>(SelectOfProject, new { ProjectId = projectId })).AsList();
}
