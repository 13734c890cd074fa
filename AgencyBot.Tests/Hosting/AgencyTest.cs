namespace AgencyBot.Tests.Hosting;

/// <summary>A test fixture with a fresh running agency (see <see cref="AgencyWorld"/>) for every test.</summary>
public abstract class AgencyTest
{
    protected AgencyWorld World { get; private set; } = null!;

    [SetUp]
    public async Task StartAgencyAsync() => World = await AgencyWorld.StartAsync();

    [TearDown]
    public async Task StopAgencyAsync() => await World.DisposeAsync();
}
