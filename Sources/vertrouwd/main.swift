import App

try await Vertrouwd.main()
