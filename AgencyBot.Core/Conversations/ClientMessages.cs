using System.Data;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Conversations;

/// <summary>What happens to a message a client writes to the bot.</summary>
public sealed class ClientMessages(ChatBindingStore bindings, OutboxStore outbox, ILogger<ClientMessages> logger)
{
    internal const string NotLinkedText =
        "Hello! This chat is not linked to a project yet. Please open the invite link your agency sent you; " +
        "it connects this chat to your project, and your messages will reach the team.";

    public async Task HandleAsync(Message message, IDbConnection connection, IDbTransaction transaction)
    {
        var projects = await bindings.ProjectsOfChatAsync(connection, transaction, message.Chat.Id);
        if (projects.Count == 0)
        {
            logger.LogInformation("Chat {ChatId}: message {MessageId} from a chat nobody bound", message.Chat.Id, message.Id);
            // In a group the bot only answers when spoken to, so it does not talk over people.
            if (message.Chat.Type == ChatType.Private || IsCommand(message))
                await outbox.EnqueueAsync(connection, transaction, message.Chat.Id,
                    new SendMessageRequest { ChatId = message.Chat.Id, Text = NotLinkedText });
            return;
        }
        logger.LogInformation("Chat {ChatId}: message {MessageId} for project {ProjectId}", message.Chat.Id, message.Id, projects[0]);
    }

    private static bool IsCommand(Message message) => message.Text?.StartsWith('/') == true;
}
