using System.Data;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Inbox;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Telegram;

/// <summary>Routes each update by its shape to the feature that handles it.</summary>
public sealed class UpdateRouter(ClientMessages clientMessages, ILogger<UpdateRouter> logger) : IInboxHandler
{
    public async Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
    {
        switch (update)
        {
            case { Message: { From.IsBot: false } message } when message.Chat.Type is ChatType.Private or ChatType.Group or ChatType.Supergroup:
                await clientMessages.HandleAsync(message, connection, transaction);
                break;
            default:
                logger.LogInformation("Update {UpdateId} of kind {Kind} is not used; ignored", update.Id, update.Type);
                break;
        }
    }
}
