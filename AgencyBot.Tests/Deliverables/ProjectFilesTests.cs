using System.Text;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Deliverables;

/// <summary>Every file exchanged is recorded with its name and size; staff mark the important ones with /file, the
/// client's /files lists them and a tap sends one again, copied from the staff chat, to that project's chats only.</summary>
public sealed class ProjectFilesTests : AgencyTest
{
    private const long Anna = 601;
    private const long Bob = 602;

    [Test]
    public async Task AFileMarkedByStaff_IsListedByFiles_AndATapSendsItAgain_ToThatProjectsChatsOnly()
    {
        await World.ProjectWithClientAsync(Anna);
        var (other, otherCode) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(Bob, otherCode, firstName: "Bob");
        World.Telegram.ClientSendsDocument(Anna, "brief.pdf", Encoding.UTF8.GetBytes("%PDF-1.7 the brief"), caption: "Our brief", firstName: "Anna", mimeType: "application/pdf");
        var topic = await World.TopicAsync();
        var copy = (await World.WaitForAsync(s => s.Any(m => m.Method == "copyMessage" && m.ThreadId == topic))).First(m => m.Method == "copyMessage" && m.ThreadId == topic);

        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/file Brief v2", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: topic, replyToMessageId: copy.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("“Brief v2” is one of the project's files") == true));
        World.Telegram.ClientSends(Anna, "/files", firstName: "Anna");
        var list = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text == ClientTexts.Get("FilesList", "en")))).Single(m => m.ChatId == Anna && m.Text == ClientTexts.Get("FilesList", "en"));
        World.Telegram.Presses(Anna, list.MessageId, list.Button("Brief v2"), firstName: "Anna");
        var again = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Method == "copyMessage"))).Single(m => m.ChatId == Anna && m.Method == "copyMessage");
        World.Telegram.Presses(Bob, 1, list.Button("Brief v2"), firstName: "Bob"); // someone else's file, by its button data
        World.Telegram.ClientSends(Bob, "/files", firstName: "Bob");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Bob && m.Text == ClientTexts.Get("NoFiles", "en")));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.QueryAsync<(string, string, long)>("SELECT kind, file_name, file_size FROM messages WHERE direction = 'client' AND kind = 'document'"),
                Is.EqualTo(new[] { ("document", "brief.pdf", 18L) }), "on the record with its name and size");
            Assert.That(list.Labels(), Is.EqualTo(new[] { "📄 Brief v2" }));
            Assert.That(((long)again.Request.Body["from_chat_id"]!, (int)again.Request.Body["message_id"]!), Is.EqualTo((AgencyWorld.StaffChat, copy.MessageId)),
                "copied from the staff chat: nothing downloaded");
            Assert.That(World.Telegram.SentTo(Bob).Where(m => m.Method == "copyMessage"), Is.Empty, "Bob's chat is not of that project");
            Assert.That(other, Is.Not.Zero);
        });
    }
}
