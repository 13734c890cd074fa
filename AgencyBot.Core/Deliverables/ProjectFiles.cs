namespace AgencyBot.Core.Deliverables;

/// <summary>A file marked as one of the project's (/file).</summary>
public sealed record ProjectFile
{
    public long Id { get; init; }
    public long ProjectId { get; init; }
    public string Title { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? FileName { get; init; }
    public long? FileSize { get; init; }
    public long FromChatId { get; init; }
    public long FromMessageId { get; init; }
    public long MarkedAt { get; init; }
}

/// <summary>The project_files table: the files staff marked as a project's, to be sent again on request.</summary>
public static class ProjectFiles
{
    private const string Insert = """
        INSERT INTO project_files (project_id, title, kind, file_name, file_size, from_chat_id, from_message_id, marked_by, marked_at)
        VALUES (@ProjectId, @Title, @Kind, @FileName, @FileSize, @FromChatId, @FromMessageId, @MarkedBy, @Now)
        RETURNING id
        """;

    private const string Columns = """
        id AS Id, project_id AS ProjectId, title AS Title, kind AS Kind, file_name AS FileName, file_size AS FileSize,
        from_chat_id AS FromChatId, from_message_id AS FromMessageId, marked_at AS MarkedAt
        """;

    // The chat's projects: those it is linked to (approved), the same rule as every relay.
    private const string SelectOfChat = $"""
        SELECT {Columns} FROM project_files
        WHERE project_id IN (SELECT project_id FROM chat_bindings WHERE chat_id = @ChatId AND status = 'active') AND removed_at IS NULL
        ORDER BY marked_at DESC, id DESC LIMIT @Limit
        """;

    private const string SelectOne = $"SELECT {Columns} FROM project_files WHERE id = @Id AND removed_at IS NULL";

    private const string SelectMarked = "SELECT id FROM project_files WHERE from_chat_id = @ChatId AND from_message_id = @MessageId AND removed_at IS NULL";

    public static Task<long> AddAsync(IDbConnection c, IDbTransaction t, long projectId, string title, string kind, Messaging.SentFile file, long fromChatId,
        long fromMessageId, long? markedBy, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long>(Insert, new
        {
            ProjectId = projectId, Title = title, Kind = kind, FileName = file.Name, FileSize = file.Size, FromChatId = fromChatId, FromMessageId = fromMessageId,
            MarkedBy = markedBy, Now = now.ToUnixTimeMilliseconds(),
        }, t);

    /// <summary>Whether this message is marked already.</summary>
    public static Task<long?> MarkedAsync(IDbConnection c, IDbTransaction t, long chatId, long messageId) =>
        c.ExecuteScalarAsync<long?>(SelectMarked, new { ChatId = chatId, MessageId = messageId }, t);

    /// <summary>The files of the chat's projects, newest first.</summary>
    public static async Task<IReadOnlyList<ProjectFile>> OfChatAsync(IDbConnection c, IDbTransaction t, long chatId, int limit) =>
        (await c.QueryAsync<ProjectFile>(SelectOfChat, new { ChatId = chatId, Limit = limit }, t)).AsList();

    public static Task<ProjectFile?> FindAsync(IDbConnection c, IDbTransaction t, long id) =>
        c.QuerySingleOrDefaultAsync<ProjectFile>(SelectOne, new { Id = id }, t);
}
