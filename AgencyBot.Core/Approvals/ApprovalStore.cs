namespace AgencyBot.Core.Approvals;

/// <summary>An approval as the agency sees it.</summary>
public sealed record Approval
{
    public long Id { get; init; }
    public long ProjectId { get; init; }
    public long TaskId { get; init; }
    public long TaskNumber { get; init; }
    public string TaskTitle { get; init; } = "";
    public string? Text { get; init; }
    public long SourceChatId { get; init; }
    public long SourceMessageId { get; init; }
    public long RequestedAt { get; init; }
    public string State { get; init; } = "";
    public long? DecidedAt { get; init; }
    public string? DecidedByName { get; init; }
    public string? Comment { get; init; }
}

/// <summary>The approvals table: one row per deliverable sent for approval; its decision is written once.</summary>
public static class ApprovalStore
{
    public static readonly TimeSpan CommentWithin = TimeSpan.FromDays(1);

    private const string Insert = """
        INSERT INTO approvals (project_id, task_id, text, source_chat_id, source_message_id, requested_by, requested_at)
        VALUES (@ProjectId, @TaskId, @Text, @SourceChatId, @SourceMessageId, @RequestedBy, @Now)
        RETURNING id
        """;

    private const string Columns = """
        a.id AS Id, a.project_id AS ProjectId, a.task_id AS TaskId, t.number AS TaskNumber, t.title AS TaskTitle, a.text AS Text,
        a.source_chat_id AS SourceChatId, a.source_message_id AS SourceMessageId, a.requested_at AS RequestedAt, a.state AS State,
        a.decided_at AS DecidedAt, a.decided_by_name AS DecidedByName, a.comment AS Comment
        """;

    private const string SelectOne = $"SELECT {Columns} FROM approvals a JOIN tasks t ON t.id = a.task_id WHERE a.id = @Id";

    private const string SelectPendingOfProject = $"""
        SELECT {Columns} FROM approvals a JOIN tasks t ON t.id = a.task_id WHERE a.project_id = @ProjectId AND a.state = 'pending' ORDER BY a.id
        """;

    private const string SelectPending = $"SELECT {Columns} FROM approvals a JOIN tasks t ON t.id = a.task_id WHERE a.state = 'pending' ORDER BY a.id";

    private const string SelectOfTask = $"SELECT {Columns} FROM approvals a JOIN tasks t ON t.id = a.task_id WHERE a.task_id = @TaskId ORDER BY a.id";

    // The first decision wins: a second tap (or a colleague's at the same moment) finds it decided.
    private const string Decide = """
        UPDATE approvals SET state = @State, decided_at = @Now, decided_chat_id = @ChatId, decided_by_user = @UserId, decided_by_name = @Name
        WHERE id = @Id AND state = 'pending'
        """;

    private const string SelectAwaitingComment = """
        SELECT id FROM approvals WHERE decided_chat_id = @ChatId AND state = 'changes' AND comment IS NULL AND decided_at >= @Since
        ORDER BY decided_at DESC LIMIT 1
        """;

    private const string SetComment = "UPDATE approvals SET comment = @Comment WHERE id = @Id AND comment IS NULL";

    public static Task<long> AddAsync(IDbConnection c, IDbTransaction t, long projectId, long taskId, string? text, long sourceChatId, long sourceMessageId,
        long requestedBy, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long>(Insert, new
        {
            ProjectId = projectId, TaskId = taskId, Text = text, SourceChatId = sourceChatId, SourceMessageId = sourceMessageId, RequestedBy = requestedBy,
            Now = now.ToUnixTimeMilliseconds(),
        }, t);

    public static Task<Approval?> FindAsync(IDbConnection c, IDbTransaction? t, long id) => c.QuerySingleOrDefaultAsync<Approval>(SelectOne, new { Id = id }, t);

    public static async Task<IReadOnlyList<Approval>> PendingOfProjectAsync(IDbConnection c, IDbTransaction? t, long projectId) =>
        (await c.QueryAsync<Approval>(SelectPendingOfProject, new { ProjectId = projectId }, t)).AsList();

    public static async Task<IReadOnlyList<Approval>> PendingAsync(IDbConnection c, IDbTransaction? t) =>
        (await c.QueryAsync<Approval>(SelectPending, transaction: t)).AsList();

    public static async Task<IReadOnlyList<Approval>> OfTaskAsync(IDbConnection c, IDbTransaction? t, long taskId) =>
        (await c.QueryAsync<Approval>(SelectOfTask, new { TaskId = taskId }, t)).AsList();

    /// <summary>Records the decision; false when the approval was decided already.</summary>
    public static async Task<bool> DecideAsync(IDbConnection c, IDbTransaction t, long id, bool approved, long chatId, long userId, string name, DateTimeOffset now) =>
        await c.ExecuteAsync(Decide, new
        {
            Id = id, State = approved ? "approved" : "changes", Now = now.ToUnixTimeMilliseconds(), ChatId = chatId, UserId = userId, Name = name,
        }, t) == 1;

    /// <summary>The chat's message after it asked for changes is what should change: the approval it comments, if any.</summary>
    public static async Task<long?> TakeCommentAsync(IDbConnection c, IDbTransaction t, long chatId, string comment, DateTimeOffset now)
    {
        if (await c.ExecuteScalarAsync<long?>(SelectAwaitingComment, new { ChatId = chatId, Since = (now - CommentWithin).ToUnixTimeMilliseconds() }, t) is not { } id)
            return null;
        return await c.ExecuteAsync(SetComment, new { Id = id, Comment = comment }, t) == 1 ? id : null;
    }
}
