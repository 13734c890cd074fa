using AgencyBot.Core.Agency;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// /staff, for managers (in the staff chat or privately): who is on staff, with buttons to change a person's role or
/// deactivate them. Callback data is "s:&lt;action&gt;:&lt;staff id&gt;[:&lt;role&gt;]"; every press is checked
/// again (an active manager, in the staff chat or their own private chat), and pressing twice does one thing.
/// </summary>
public sealed class StaffRoster(StaffChanges changes, BotUser botUser, IOptions<AgencyOptions> agency, ILogger<StaffRoster> logger)
{
    public const string Prefix = "s:";

    public async Task ListAsync(Turn turn, Message message)
    {
        if (turn.Member!.Role != StaffRole.Manager)
        {
            await turn.ReplyAsync(message, "Only managers can change who is on staff.");
            return;
        }
        var active = await StaffStore.ActiveAsync(turn.Connection, turn.Transaction);
        var lines = active.Select(s => $"• {s.Name}: {StaffStore.RoleName(s.Role)}");
        var keyboard = new InlineKeyboardMarkup(active.Chunk(3).Select(row =>
            row.Select(s => InlineKeyboardButton.WithCallbackData($"✏️ {Clip(s.Name, 20)}", $"{Prefix}m:{s.Id}"))));
        await turn.SendAsync(message.Chat.Id, new SendMessageRequest
        {
            ChatId = message.Chat.Id, MessageThreadId = message.TopicOf(), ReplyMarkup = keyboard,
            Text = $"Staff ({active.Count} active):\n{string.Join("\n", lines)}\n\nTap a name to change their role or deactivate them.",
        });
    }

    /// <summary>/invite_staff &lt;role&gt;, for managers: a link that registers whoever opens it first, in that role.</summary>
    public async Task InviteAsync(Turn turn, Message message, Command command)
    {
        if (turn.Member!.Role != StaffRole.Manager)
        {
            await turn.ReplyAsync(message, "Only managers can invite staff.");
            return;
        }
        if (!StaffStore.TryParseRole(command.Args, out var role))
        {
            await turn.ReplyAsync(message, "/invite_staff <assistant | employee | manager>: a link that makes whoever opens it staff in that role.");
            return;
        }
        if (await botUser.UsernameAsync(turn.Connection, turn.Transaction) is not { } username)
        {
            await turn.ReplyAsync(message, "I do not know my own username yet (Telegram has not answered since I started). Try again in a minute.");
            return;
        }
        var lifetime = agency.Value.InviteLifetime;
        var code = await StaffInviteStore.CreateAsync(turn.Connection, turn.Transaction, role, turn.Member.Id, turn.Now, lifetime);
        logger.LogInformation("Staff {StaffId} made a staff link for the role {Role}", turn.Member.Id, role);
        await turn.ReplyAsync(message, $"🔗 A staff link for {Article(role)} {StaffStore.RoleName(role)}:\n" +
            $"{BotUser.Link(username, StaffInviteStore.Payload(code, owner: false))}\n\n" +
            $"Forward it to the person. It works once, until {(turn.Now + lifetime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: " +
            "opening it registers them with their Telegram name.");
    }

    private static string Article(StaffRole role) => role is StaffRole.Assistant or StaffRole.Employee ? "an" : "a";

    public async Task HandleButtonAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var (manager, staffChatId) = (turn.Member, turn.StaffChat?.ChatId);
        var where = query.Message?.Chat.Id;
        var parts = query.Data![Prefix.Length..].Split(':');
        var target = parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await StaffStore.FindAsync(c, t, id)
            : null;
        if (manager is not { Role: StaffRole.Manager } || target is null || (where != staffChatId && where != query.From.Id))
        {
            logger.LogWarning("Refused staff button {Data} from {UserId} in chat {ChatId}", query.Data, query.From.Id, where);
            await turn.AnswerButtonAsync(query, manager is not { Role: StaffRole.Manager } ? "Only managers can change who is on staff." : "This button has expired.");
            return;
        }
        switch (parts[0])
        {
            case "m":
                await turn.AnswerButtonAsync(query, null);
                await MenuAsync(turn, query, target);
                break;
            case "r" when parts.Length == 3 && Enum.TryParse<StaffRole>(parts[2], ignoreCase: true, out var role) && target.Active:
                if (target.Role == role)
                {
                    await turn.AnswerButtonAsync(query, $"{target.Name} already is {StaffStore.RoleName(role)}.");
                    break;
                }
                if (target.Role == StaffRole.Manager && await IsLastManagerAsync(c, t, target))
                {
                    await turn.AnswerButtonAsync(query, "The last manager cannot be demoted: make someone else manager first.");
                    break;
                }
                await changes.ChangeAsync(c, t, target.Id, null, role, null, manager.Id);
                await turn.AnswerButtonAsync(query, $"{target.Name} is now {StaffStore.RoleName(role)}.");
                await turn.SayUnderAsync(query, $"✅ {target.Name} is now {StaffStore.RoleName(role)} (by {manager.Name}).");
                break;
            case "d" when target.Active:
                await turn.AnswerButtonAsync(query, null);
                await turn.SayUnderAsync(query, $"Deactivate {target.Name}? They lose every staff power at once; their history stays.",
                    [InlineKeyboardButton.WithCallbackData($"Yes, deactivate {Clip(target.Name, 20)}", $"{Prefix}D:{target.Id}")]);
                break;
            case "D":
                if (!target.Active)
                {
                    await turn.AnswerButtonAsync(query, $"{target.Name} is already deactivated.");
                    break;
                }
                if (target.Id == manager.Id || (target.Role == StaffRole.Manager && await IsLastManagerAsync(c, t, target)))
                {
                    await turn.AnswerButtonAsync(query, target.Id == manager.Id ? "You cannot deactivate yourself." : "The last manager cannot be deactivated.");
                    break;
                }
                await changes.ChangeAsync(c, t, target.Id, null, null, false, manager.Id);
                await turn.AnswerButtonAsync(query, $"{target.Name} is deactivated.");
                await turn.SayUnderAsync(query, $"🚫 {target.Name} is deactivated (by {manager.Name}): no staff powers any more; their open tasks are listed in their projects' topics.");
                break;
            default:
                await turn.AnswerButtonAsync(query, "Nothing to do: this has changed meanwhile.");
                break;
        }
    }

    private static async Task MenuAsync(Turn turn, CallbackQuery query, StaffMember target)
    {
        if (!target.Active)
        {
            await turn.SayUnderAsync(query, $"{target.Name} is deactivated. The admin API brings them back (PATCH /api/staff/{target.Id}).");
            return;
        }
        var roles = Enum.GetValues<StaffRole>().Where(r => r != target.Role)
            .Select(r => InlineKeyboardButton.WithCallbackData($"Make {StaffStore.RoleName(r)}", $"{Prefix}r:{target.Id}:{StaffStore.RoleName(r)}"));
        await turn.SayUnderAsync(query, $"{target.Name} is {StaffStore.RoleName(target.Role)}.",
            [.. roles, InlineKeyboardButton.WithCallbackData("🚫 Deactivate", $"{Prefix}d:{target.Id}")]);
    }

    private static async Task<bool> IsLastManagerAsync(IDbConnection c, IDbTransaction t, StaffMember target) =>
        (await StaffStore.ManagersAsync(c, t)).All(m => m.Id == target.Id);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
