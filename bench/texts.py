"""Benchmark texts: real English words and phrases kept apart from training.

The glyph classifier trains on ``glyphs.words.TRAIN_WORDS``; none of the word
tokens below is in that list (``tests/test_benchmark.py`` checks it), so a
benchmark never shows the model a word it was trained on. The list mixes
signage, headlines, UI strings, prices, dates and addresses: mixed case,
capitals, digits and punctuation, as text is found in photos and screenshots.
"""

from __future__ import annotations

import re

import numpy as np

PHRASES: tuple[str, ...] = (
    # signage and shop fronts
    "Fresh Bagels Daily", "Closed on Sundays", "SALE 40% OFF", "Wi-Fi: orchid77",
    "Espresso Bar", "Bakery & Café", "Emergency Stairs", "Caution Slippery", "No Parking",
    "Pharmacy", "Hardware Depot", "Locksmith 24h", "Pizza Slice $3", "Bike Repairs",
    "Laundromat", "Gelato Parlour", "Ticket Booth", "Platform 9", "Arrivals",
    "Departures", "Lost & Found", "Baggage Carousel", "Elevator B", "Restrooms",
    "Vegan Burgers", "Craft Beer on Tap", "Cocktails from 5pm", "Oysters & Clams",
    "Antiques Emporium", "Florist", "Barbershop", "Dentist Upstairs", "Pet Grooming",
    "Car Wash $12", "Organic Farm Eggs", "Honey for Sale", "Tulips 2 for $9",
    "Bookshop", "Tailor & Alterations", "Museum Entrance", "Gift Shop", "Hostel",
    # headlines and titles
    "Moonlit Harbour", "Autumn Orchard", "Winter Lullaby", "The Copper Kettle",
    "Velvet Thunder", "Crimson Tide Rising", "Midnight Gardens", "Silver Lantern",
    "Whispering Pines", "Origami Boats", "Lemonade Kiosk", "Marmalade Skies",
    "Hidden Valley Ranch", "Ocean Breeze", "Saffron & Cinnamon", "Blueberry Pancakes",
    "Pumpkin Spice Latte", "Chocolate Truffles", "Strawberry Fields", "Cactus Flower",
    "Dragonfly Pond", "Lighthouse Keeper", "Tangerine Twist", "Maple Syrup",
    "Bamboo Forest", "Glacier Bay", "Volcano Island", "Coral Reef", "Desert Mirage",
    "Thunderstorm", "Snowflakes", "Raindrops", "Sunflowers", "Wildflowers",
    "Hummingbird", "Butterfly", "Octopus", "Penguins", "Flamingo", "Giraffe",
    "Kangaroo", "Dolphins", "Hedgehog", "Squirrels", "Owls at Dusk",
    # UI strings
    "Log In", "Log Out", "Forgot password?", "Cancel", "Submit", "Download PDF",
    "Subscribe", "Settings", "Preferences", "Dashboard", "Notifications (3)",
    "Add to Cart", "Checkout", "Unsubscribe", "Upload", "Retry", "Copy Link",
    "Privacy Statement", "Terms of Use", "FAQ", "Menu", "Profile", "Inbox (12)",
    "Drafts", "Archive", "Bookmarks", "Calendar", "Contacts", "Untitled-1",
    "Zoom 125%", "Undo", "Redo", "Paste", "Delete?", "Rename", "Refresh",
    # prices, dates, numbers, addresses
    "$19.99", "€4,50", "£12", "Tel. 555-0199", "Est. 1987", "Founded 1852",
    "March 14, 2031", "Tuesday 9:30", "Mon-Fri 8-18", "Studio 214", "Gate 37",
    "Apt. 5B", "Suite 1200", "Route 66", "Highway 101", "Junction 23A",
    "No. 7", "Vol. 3", "Chapter XII", "Pg. 48", "Lot 19", "Aisle 4",
    "221B Baker St.", "10 Downing St.", "Elm Grove", "Oak Avenue", "Birch Lane",
    "Cherry Blossom Rd", "Lakeshore Dr.", "Harbourfront", "Uptown Plaza",
    # mixed words
    "Hamburgers", "Sandwiches", "Breakfast", "Croissants", "Pretzels", "Waffles",
    "Nachos", "Burritos", "Dumplings", "Noodles", "Sushi", "Ramen", "Kebab",
    "Bicycle", "Scooter", "Umbrella", "Backpack", "Sneakers", "Sunglasses",
    "Keyboard", "Pencils", "Notebook", "Scissors", "Envelope", "Stapler",
    "Telescope", "Microscope", "Compass", "Hourglass", "Candlelight",
    "Jellyfish", "Quokka", "Xylophone", "Zeppelin", "Yodelling", "Kumquat",
    "Vivid Hues", "Quirky Fonts", "Jumbo Shrimp", "Fjords & Glaciers", "Bazaar",
    "Bon Voyage", "Hooray!", "Fabulous", "Cheers!", "Welcome Aboard",
)

# One to four characters: initials, labels, ordinals, numbers.
SHORT_TEXTS: tuple[str, ...] = (
    "A", "B", "G", "Q", "R", "&", "7", "8", "Ok", "OK", "Hi!", "Go", "No.", "Up",
    "42", "99", "007", "1st", "2nd", "3rd", "Ah", "Oh!", "Boo", "Hey", "Wow!", "Yum",
    "Cat", "Dog", "Sun", "Moon", "Tea", "Jam", "Fig", "Elk", "Owl", "Ant", "Bee",
    "Hut", "Inn", "Pub", "Spa", "Gym", "Bus", "Taxi", "Zen", "Ace", "Max", "Amy",
    "Bob", "NYC", "UK", "USA", "EU", "FBI", "DNA", "Kg", "mm", "pH", "Nº5", "B&B",
    "Ahoy", "Yay!", "Hmm", "Shh", "Zap", "Zzz", "#1", "$5", "€9", "50%", "A+",
)


def tokens(text: str) -> list[str]:
    """Lower-case alphabetic word tokens of a text (what disjointness is checked on)."""
    return re.findall(r"[a-z]+", text.lower())


def pick(pool: tuple[str, ...], rng: np.random.Generator) -> str:
    return pool[int(rng.integers(0, len(pool)))]
