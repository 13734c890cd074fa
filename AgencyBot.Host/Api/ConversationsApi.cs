using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Turns;
using AgencyBot.Core.Updates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Host.Api;

public static class ConversationsApi
{
    public static void MapConversations(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{id:long}/conversations", ProjectConversationsAsync);
        api.MapGet("/projects/{id:long}/chats", ProjectChatsAsync);
        api.MapDelete("/projects/{id:long}/chats/{chatId:long}", RemoveChatAsync);
        api.MapGet("/conversations/{id:long}/messages", MessagesAsync);
    }

    private static async Task<Results<Ok<IReadOnlyList<Conversation>>, ProblemHttpResult>> ProjectConversationsAsync(
        long id, ProjectStore projects, ConversationStore conversations, CancellationToken ct) =>
        await projects.FindAsync(id, ct) is null
            ? Problems.NoProject(id)
            : TypedResults.Ok(await conversations.OfProjectAsync(id, ct));

    private static async Task<Results<Ok<IReadOnlyList<BoundChat>>, ProblemHttpResult>> ProjectChatsAsync(
        long id, ProjectStore projects, ChatBindingStore bindings, CancellationToken ct) =>
        await projects.FindAsync(id, ct) is null
            ? Problems.NoProject(id)
            : TypedResults.Ok(await bindings.ChatsOfProjectAsync(id, ct));

    /// <summary>Takes a client chat off a project: nothing is relayed to or from it for that project any more.</summary>
    /// The project's open invites are closed too, so the removed chat cannot come back with one.
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveChatAsync(long id, long chatId, Database database,
        ClientMessages clientMessages, TurnFactory turns, CancellationToken ct) =>
        await database.WriteAsync(async (c, t) =>
        {
            var turn = await turns.BeginAsync(c, t);
            if (!await ChatBindingStore.UnbindAsync(c, t, id, chatId, turn.Now)) return false;
            // What the chat had waiting for a pick between its projects is decided again: it may have one left, or none.
            await clientMessages.ReconsiderHeldAsync(turn, chatId, "chat removed from its projects");
            return true;
        }, ct)
            ? TypedResults.NoContent()
            : Problems.NotFound($"Chat {chatId} is not linked to project {id}.");

    private static async Task<Results<Ok<IReadOnlyList<ConversationMessage>>, ProblemHttpResult>> MessagesAsync(
        long id, ConversationStore conversations, CancellationToken ct) =>
        await conversations.FindAsync(id, ct) is null
            ? Problems.NotFound($"There is no conversation {id}.")
            : TypedResults.Ok(await conversations.MessagesAsync(id, ct));
}
