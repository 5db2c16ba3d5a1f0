from debate import create_app

app = create_app()
