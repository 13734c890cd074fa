using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using QRCoder;

namespace AgencyBot.Core.Onboarding;

/// <summary>
/// What the agency sends a new client: the deep link that links their chat to the project, a ready-to-forward text in
/// the client's language, and (posted in the project's topic) the link as a QR code to show on a screen or print.
/// </summary>
public sealed record Invitation(long ClientId, long ProjectId, string Client, string Project, string Code, string Link, DateTimeOffset ExpiresAt,
    string Language, string Text)
{
    /// <summary>A new single-use invite of the project, with its text; null when the project does not exist.</summary>
    public static async Task<Invitation?> CreateAsync(IDbConnection c, IDbTransaction t, long projectId, string username, string agencyName,
        TimeSpan lifetime, DateTimeOffset now)
    {
        if (await ProjectStore.FindAsync(c, t, projectId) is not { } project || await ProjectStore.SettingsAsync(c, t, projectId) is not { } settings)
            return null;
        var client = (await ClientStore.FindAsync(c, t, project.ClientId))!;
        var invite = (await InviteStore.CreateAsync(c, t, projectId, lifetime, InviteKind.Single, now))!;
        var link = BotUser.Link(username, invite.Code);
        var language = ClientTexts.Pick(settings.Language ?? client.Language, null);
        // "Hello Anna!": the contact's first name, when the contact is a name (not an email, a phone number, or junk).
        var first = client.Contact?.Trim().Split(' ')[0] ?? "";
        var hello = first.Length is > 0 and <= 40 && char.IsLetter(first[0]) && !first.Contains('@') ? " " + first : "";
        return new Invitation(client.Id, projectId, client.Name, project.Name, invite.Code, link, invite.ExpiresAt, language,
            ClientTexts.Get("Invitation", language, hello, agencyName, project.Name, link));
    }

    /// <summary>The link as a PNG QR code.</summary>
    public byte[] QrCode() => PngByteQRCodeHelper.GetQRCode(Link, QRCodeGenerator.ECCLevel.M, 12);

    /// <summary>Posts it in the project's topic (which this creates if there is none yet): a line for staff, the text to
    /// forward as it is, and the QR code.</summary>
    public async Task PostAsync(IDbConnection c, IDbTransaction t, OutboxStore outbox, long staffChatId, DateTimeOffset now)
    {
        var topic = new OutboxLink(TopicProjectId: ProjectId, Notice: true);
        await outbox.EnqueueAsync(c, t, staffChatId, new SendMessageRequest
        {
            ChatId = staffChatId,
            Text = $"📨 The invitation for {ProjectLabel.Of(Client, Project)} ({Language}). Forward the next message to the client, or show them the QR code. " +
                $"It links one chat, once, until {ExpiresAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}; /invite makes another.",
        }, topic);
        await outbox.EnqueueAsync(c, t, staffChatId, new SendMessageRequest { ChatId = staffChatId, Text = Text }, topic);
        var image = await AttachmentStore.AddAsync(c, t, $"invitation-{ProjectId}.png", "image/png", QrCode(), now);
        var photo = new System.Text.Json.Nodes.JsonObject { ["chat_id"] = staffChatId, ["attachment_id"] = image, ["caption"] = $"QR code: {Link}" };
        await outbox.EnqueueRawAsync(c, t, staffChatId, "sendPhoto", photo.ToJsonString(), topic);
    }
}
