using System.Data;
using Dapper;

namespace AgencyBot.Core.Projects;

/// <summary>Which client chats talk about which projects.</summary>
public sealed class ChatBindingStore
{
    private const string SelectProjectsOfChat = """
        SELECT project_id FROM chat_bindings WHERE chat_id = @ChatId ORDER BY last_used_at DESC
        """;

    /// <summary>The projects bound to a chat, most recently used first.</summary>
    public async Task<IReadOnlyList<long>> ProjectsOfChatAsync(IDbConnection connection, IDbTransaction transaction, long chatId) =>
        (await connection.QueryAsync<long>(SelectProjectsOfChat, new { ChatId = chatId }, transaction)).AsList();
}
