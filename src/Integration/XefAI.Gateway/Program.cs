using XefAI.Gateway.Hosting;

var app = GatewayApp.Create(args);
app.Run();
